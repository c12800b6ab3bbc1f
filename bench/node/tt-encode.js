#!/usr/bin/env node
// Encode a text file with tiktoken: npm `tiktoken-node` (native Rust core) or `tiktoken` (WASM build).
// Usage: node tt-encode.js native|wasm ENCODING INPUT [lines|blob]
//   ENCODING: gpt2 | cl100k_base.  Ordinary encoding (special tokens are not matched).
//   lines (default): one encode call per line, one output line of ids per input line (same format as tok/HF).
//   blob: wasm only, 4096 lines joined by '\n' per call (tiktoken's fastest use; newlines become tokens,
//         so ids differ from the per-line output), one output line per blob.
// stderr: encode_s = text in memory -> all ids written (file read + encoder load excluded).
'use strict';
const fs = require('fs');
const [impl, encName, input, mode = 'lines'] = process.argv.slice(2);
const CHUNK = Number(process.env.CHUNK || 4096);
const t0 = process.hrtime.bigint();
let enc, free = () => {};
if (impl === 'native') { const e = require('tiktoken-node').getEncoding(encName); enc = s => e.encode(s); }
else if (impl === 'wasm') { const e = require('tiktoken').get_encoding(encName); enc = s => e.encode_ordinary(s); free = () => e.free(); }
else { console.error('IMPL must be native or wasm'); process.exit(2); }
const lines = fs.readFileSync(input, 'utf8').split('\n'); if (lines[lines.length - 1] === '') lines.pop();
const t1 = process.hrtime.bigint();
let tokens = 0;
for (let i = 0; i < lines.length; i += CHUNK) {
  const part = lines.slice(i, i + CHUNK);
  let out;
  if (mode === 'blob') { const ids = enc(part.join('\n') + '\n'); tokens += ids.length; out = Array.prototype.join.call(ids, ' '); }
  else out = part.map(l => { const ids = enc(l); tokens += ids.length; return Array.prototype.join.call(ids, ' '); }).join('\n');
  fs.writeSync(1, out + '\n');
}
free();
const t2 = process.hrtime.bigint();
console.error(`tt-encode impl=${impl} enc=${encName} mode=${mode} lines=${lines.length} tokens=${tokens} load_s=${(Number(t1 - t0) / 1e9).toFixed(3)} encode_s=${(Number(t2 - t1) / 1e9).toFixed(3)}`);
