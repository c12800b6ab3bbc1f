// Regenerates the expected files of tests/data/json with Hugging Face
// tokenizers 0.23.2 itself (npm package `tokenizers`):
//
//   NODE_PATH=/path/to/node_modules node hf-save.js
//
// For each NAME.json input it writes NAME.hf.json, what
// Tokenizer.fromFile(NAME.json).save(..., pretty=true) writes.  For the
// training references in ../train/ (too large to keep a second copy of),
// it prints the length and FNV-1a 64 of HF's saved bytes, the lines of
// train-hf-digests.txt.
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('tokenizers');

const here = __dirname;
const inputs = ['all-components', 'wordpiece', 'bpe-prefix'];
for (const name of inputs) {
  const t = Tokenizer.fromFile(path.join(here, name + '.json'));
  t.save(path.join(here, name + '.hf.json'), true);
}

function fnv1a64(buf) {
  let h = 0xcbf29ce484222325n;
  for (const b of buf) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

const os = require('os');
const lines = [];
for (const name of ['hf-bpe-bytelevel', 'hf-bpe-ws', 'hf-wordpiece']) {
  const t = Tokenizer.fromFile(path.join(here, '..', 'train', name + '.json'));
  const tmp = path.join(os.tmpdir(), 'hf-save-' + process.pid + '.json');
  t.save(tmp, true);
  const buf = fs.readFileSync(tmp);
  fs.unlinkSync(tmp);
  lines.push(`${name}.json ${buf.length} ${fnv1a64(buf)}`);
}
fs.writeFileSync(path.join(here, 'train-hf-digests.txt'), lines.join('\n') + '\n');
