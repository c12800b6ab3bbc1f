#!/usr/bin/env node
// Decode an id file (one line of ids per text line) with tiktoken (WASM build, npm `tiktoken`).
// Usage: node tt-decode.js ENCODING IDS_FILE      (ENCODING gpt2 | cl100k_base)
// stderr: decode_s = ids in memory -> all text written (file read + encoder load excluded).
'use strict';
const fs = require('fs');
const { get_encoding } = require('tiktoken');
const [encName, input] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const e = get_encoding(encName);
const rows = fs.readFileSync(input, 'utf8').split('\n'); if (rows[rows.length - 1] === '') rows.pop();
const t1 = process.hrtime.bigint();
const td = new TextDecoder();
let out = [], tokens = 0, bytes = 0;
for (const r of rows) {
  const ids = r ? Uint32Array.from(r.split(' '), Number) : new Uint32Array(0);
  tokens += ids.length; out.push(td.decode(e.decode(ids)));
  if (out.length === 4096) { const s = out.join('\n') + '\n'; bytes += Buffer.byteLength(s); fs.writeSync(1, s); out = []; }
}
if (out.length) { const s = out.join('\n') + '\n'; bytes += Buffer.byteLength(s); fs.writeSync(1, s); }
e.free();
const t2 = process.hrtime.bigint();
console.error(`tt-decode enc=${encName} tokens=${tokens} out_bytes=${bytes} load_s=${(Number(t1 - t0) / 1e9).toFixed(3)} decode_s=${(Number(t2 - t1) / 1e9).toFixed(3)}`);
