#!/usr/bin/env node
// Write one adversarial input: a single line of N MB (N * 10^6 bytes, cut at a code point boundary) + '\n'.
// Usage: node make-adversarial.js KIND MB OUT [CORPUS]
//   nospace  the corpus text with every whitespace character removed (mixed scripts, punctuation, digits)
//   repeat   one character ('a') repeated N million times
//   digits   pseudo-random decimal digits (seeded, deterministic)
//   emoji    pseudo-random emoji from U+1F300-U+1F64F, 4 bytes each, no separators (seeded)
'use strict';
const fs = require('fs');
const [kind, mbS, out, corpus] = process.argv.slice(2);
const n = Math.round(Number(mbS) * 1e6);
let seed = 20240601 >>> 0;
function rnd() { // mulberry32
  seed = (seed + 0x6D2B79F5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
let buf;
if (kind === 'repeat') buf = Buffer.alloc(n, 'a');
else if (kind === 'digits') { buf = Buffer.alloc(n); for (let i = 0; i < n; i++) buf[i] = 48 + Math.floor(rnd() * 10); }
else if (kind === 'emoji') {
  let s = ''; const parts = [];
  for (let i = 0; i < Math.floor(n / 4); i++) {
    s += String.fromCodePoint(0x1F300 + Math.floor(rnd() * (0x1F650 - 0x1F300)));
    if (s.length > 65536) { parts.push(s); s = ''; }
  }
  parts.push(s); buf = Buffer.from(parts.join(''), 'utf8');
} else if (kind === 'nospace') {
  if (!corpus) { console.error('nospace needs CORPUS'); process.exit(2); }
  const fd = fs.openSync(corpus, 'r'); const chunks = []; let have = 0;
  const b = Buffer.alloc(1 << 20); let pos = 0;
  let carry = Buffer.alloc(0);  // incomplete UTF-8 sequence at the end of the previous read
  while (have < n) {
    const r = fs.readSync(fd, b, 0, b.length, pos); if (r === 0) break; pos += r;
    const data = Buffer.concat([carry, b.subarray(0, r)]);
    let end = data.length;   // cut before a trailing incomplete sequence
    let k = end - 1; while (k >= 0 && (data[k] & 0xC0) === 0x80) k--;
    if (k >= 0 && data[k] >= 0xC0) { const need = data[k] >= 0xF0 ? 4 : data[k] >= 0xE0 ? 3 : 2; if (end - k < need) end = k; }
    carry = Buffer.from(data.subarray(end));
    const txt = data.toString('utf8', 0, end).replace(/[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/gu, '');
    const enc = Buffer.from(txt, 'utf8'); chunks.push(enc); have += enc.length;
  }
  fs.closeSync(fd);
  buf = Buffer.concat(chunks);
  if (buf.length < n) { console.error(`corpus too small for ${mbS} MB`); process.exit(1); }
} else { console.error('KIND must be nospace|repeat|digits|emoji'); process.exit(2); }
let end = Math.min(n, buf.length);
while (end > 0 && end < buf.length && (buf[end] & 0xC0) === 0x80) end--; // do not split a code point
fs.writeFileSync(out, Buffer.concat([buf.subarray(0, end), Buffer.from('\n')]));
