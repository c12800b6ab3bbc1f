#!/usr/bin/env node
// Decode an id file (one line of space-separated ids per text line) with HF tokenizers.
// Usage: node hf-decode.js TOKENIZER.json IDS_FILE
//   Tokenizer.decodeBatch over chunks of CHUNK (4096) lines, skip_special_tokens=true by default;
//   HF_SKIP_SPECIAL=0 keeps them (bench/run does, as tok decode keeps them). One output line per id line.  Threads: RAYON_NUM_THREADS.
// stderr: decode_s = ids in memory -> all text written (file read + model load excluded).
'use strict';
const fs = require('fs');
const tk = require('tokenizers');
const [tokPath, input] = process.argv.slice(2);
const CHUNK = Number(process.env.CHUNK || 4096);
const skip = process.env.HF_SKIP_SPECIAL !== '0';
(async () => {
  const t0 = process.hrtime.bigint();
  const tok = tk.Tokenizer.fromFile(tokPath);
  const rows = fs.readFileSync(input, 'utf8').split('\n'); if (rows[rows.length - 1] === '') rows.pop();
  const t1 = process.hrtime.bigint();
  let bytes = 0, tokens = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const ids = rows.slice(i, i + CHUNK).map(r => { const a = r ? r.split(' ').map(Number) : []; tokens += a.length; return a; });
    const txt = (await tok.decodeBatch(ids, skip)).join('\n') + '\n';
    bytes += Buffer.byteLength(txt); fs.writeSync(1, txt);
  }
  const t2 = process.hrtime.bigint();
  console.error(`hf-decode tokens=${tokens} out_bytes=${bytes} load_s=${(Number(t1 - t0) / 1e9).toFixed(3)} decode_s=${(Number(t2 - t1) / 1e9).toFixed(3)}`);
})().catch(e => { console.error(e); process.exit(1); });
