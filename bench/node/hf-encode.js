#!/usr/bin/env node
// Encode a text file with Hugging Face tokenizers (npm `tokenizers`, the official Node binding of the Rust crate).
// Usage: node hf-encode.js TOKENIZER.json INPUT [batch|lines]
//   batch (default): Tokenizer.encodeBatch over chunks of CHUNK (4096) lines; lines: one encode() per line.
//   Output: one line of space-separated ids per input line (the format `tok encode` writes).
//   add_special_tokens follows HF's default (true: BERT gets [CLS] ... [SEP]); HF_ADD_SPECIAL=0 turns it off.
//   Threads: RAYON_NUM_THREADS.
// stderr: key=value figures; encode_s = text in memory -> all ids written (file read + model load excluded).
'use strict';
const fs = require('fs');
const tk = require('tokenizers');
const [tokPath, input, mode = 'batch'] = process.argv.slice(2);
const CHUNK = Number(process.env.CHUNK || 4096);
const opt = { addSpecialTokens: process.env.HF_ADD_SPECIAL !== '0' };
(async () => {
  const t0 = process.hrtime.bigint();
  const tok = tk.Tokenizer.fromFile(tokPath);
  const text = fs.readFileSync(input, 'utf8');
  const lines = text.split('\n'); if (lines[lines.length - 1] === '') lines.pop();
  const t1 = process.hrtime.bigint();
  let tokens = 0;
  if (mode === 'batch') {
    for (let i = 0; i < lines.length; i += CHUNK) {
      const encs = await tok.encodeBatch(lines.slice(i, i + CHUNK), opt);
      const out = new Array(encs.length);
      for (let k = 0; k < encs.length; k++) { const ids = encs[k].getIds(); tokens += ids.length; out[k] = ids.join(' '); }
      fs.writeSync(1, out.join('\n') + '\n');
    }
  } else if (mode === 'lines') {
    let out = [];
    for (const l of lines) {
      const ids = (await tok.encode(l, null, opt)).getIds();
      tokens += ids.length; out.push(ids.join(' '));
      if (out.length === CHUNK) { fs.writeSync(1, out.join('\n') + '\n'); out = []; }
    }
    if (out.length) fs.writeSync(1, out.join('\n') + '\n');
  } else { console.error('MODE must be batch or lines'); process.exit(2); }
  const t2 = process.hrtime.bigint();
  console.error(`hf-encode mode=${mode} lines=${lines.length} tokens=${tokens} load_s=${(Number(t1 - t0) / 1e9).toFixed(3)} encode_s=${(Number(t2 - t1) / 1e9).toFixed(3)}`);
})().catch(e => { console.error(e); process.exit(1); });
