#!/usr/bin/env node
// Train a tokenizer with Hugging Face tokenizers' Node binding.
// Usage: node hf-train.js KIND OUT.json FILE [FILE...]
//   KIND: bpe           BPE, Whitespace pre-tokenizer (\w+|[^\w\s]+), BPE decoder
//         bytelevel-bpe BPE, ByteLevel pre-tokenizer (GPT-2 regex, no prefix space), ByteLevel decoder
//         wordpiece     WordPiece, BertNormalizer(lowercase) + BertPreTokenizer, [UNK] (BERT-like)
// LIMITATION of tokenizers@0.23.2: Tokenizer.train(files) takes no trainer options; it runs the model's
// default trainer (vocab_size 30000, min_frequency 0, no special tokens, no initial alphabet).
// Threads: RAYON_NUM_THREADS.  stderr: train_s = whole script minus node start-up (includes file reading).
'use strict';
const tk = require('tokenizers');
const [kind, out, ...files] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
let t;
switch (kind) {
  case 'bpe':
    t = new tk.Tokenizer(tk.BPE.empty());
    t.setPreTokenizer(tk.whitespacePreTokenizer());
    t.setDecoder(tk.bpeDecoder());
    break;
  case 'bytelevel-bpe':
    t = new tk.Tokenizer(tk.BPE.empty());
    t.setPreTokenizer(tk.byteLevelPreTokenizer(false, true));
    break;
  case 'wordpiece':
    t = new tk.Tokenizer(tk.WordPiece.init({}, { unkToken: '[UNK]' }));
    t.setNormalizer(tk.bertNormalizer({ lowercase: true }));
    t.setPreTokenizer(tk.bertPreTokenizer());
    t.setDecoder(tk.wordPieceDecoder());
    break;
  default:
    console.error('unknown KIND ' + kind); process.exit(2);
}
t.train(files);
if (kind === 'wordpiece') t.addSpecialTokens(['[UNK]', '[CLS]', '[SEP]', '[PAD]', '[MASK]']);
t.save(out);
if (kind === 'bytelevel-bpe') { // the binding exports no ByteLevel decoder constructor; the Rust core loads it from JSON
  const fs = require('fs');
  const j = JSON.parse(fs.readFileSync(out, 'utf8'));
  j.decoder = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  fs.writeFileSync(out, JSON.stringify(j));
}
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.error(`hf-train kind=${kind} vocab=${t.getVocabSize()} train_s=${s.toFixed(3)}`);
