// Generates hf-bpe.json: words split by Hugging Face tokenizers' BPE model.
//
//   npm install tokenizers@0.23.2     (in a scratch directory)
//   NODE_PATH=<scratch>/node_modules node gen-hf-bpe.js > hf-bpe.json
//
// Each model is a small, consistent vocabulary (every merge result is the
// concatenation of its two parts, as BPE training makes them) with one set
// of options; the tokenizer has no normalizer and no pre-tokenizer, so the
// whole input is one word given to the model.  Offsets are what the
// binding returns: code points of the word.
"use strict";
const { Tokenizer } = require("tokenizers");

function rng(seed) {
  // mulberry32: small, deterministic
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ["a", "b", "c", "d", "e", "é", "中", "😀"];
const UNKNOWN = ["x", "y", "z", "ß"];

// Builds vocab (token -> id) and merges the way training would: a merge
// joins two existing tokens into a new one.  prefix marks tokens that do
// not start a word, suffix tokens that end it.
function makeVocab(seed, nmerges, prefix, suffix, extra) {
  const r = rng(seed);
  const vocab = new Map();
  const add = (t) => { if (!vocab.has(t)) vocab.set(t, vocab.size); };
  for (const t of extra) add(t);
  const starts = [], conts = [];
  for (const c of ALPHABET) {
    for (const end of suffix ? [false, true] : [false]) {
      const s = end ? suffix : "";
      add(c + s); starts.push(c + s);
      if (prefix) { add(prefix + c + s); conts.push(prefix + c + s); }
      else conts.push(c + s);
    }
  }
  const merges = [];
  const seen = new Set();
  let tries = 0;
  while (merges.length < nmerges && tries++ < 100000) {
    const leftStart = r() < 0.5;
    const lpool = leftStart ? starts : conts;
    const left = lpool[Math.floor(r() * lpool.length)];
    const right = conts[Math.floor(r() * conts.length)];
    if (suffix && left.endsWith(suffix)) continue;
    const joined = left + right.slice(prefix ? prefix.length : 0);
    if ([...joined].length > 12 || seen.has(left + " " + right)) continue;
    seen.add(left + " " + right);
    merges.push([left, right]);
    if (!vocab.has(joined)) {
      add(joined);
      (leftStart ? starts : conts).push(joined);
    }
  }
  return { vocab: Object.fromEntries(vocab), merges };
}

function words(seed, n, withUnknown, extraWords) {
  const r = rng(seed);
  const out = [...extraWords];
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(r() * 20);
    let w = "";
    for (let j = 0; j < len; j++) {
      const pool = withUnknown && r() < 0.15 ? UNKNOWN : ALPHABET;
      w += pool[Math.floor(r() * pool.length)];
    }
    out.push(w);
  }
  return out;
}

function bytesOf(s) {
  return [...Buffer.from(s, "utf8")].map(
    (b) => "<0x" + b.toString(16).toUpperCase().padStart(2, "0") + ">");
}

const MODELS = [
  { name: "plain", seed: 1, opts: {} },
  { name: "drops unknown characters without unk", seed: 2, opts: {},
    unknown: true },
  { name: "unk", seed: 3, opts: { unk_token: "<unk>" }, unknown: true },
  { name: "fused unk", seed: 4,
    opts: { unk_token: "<unk>", fuse_unk: true }, unknown: true },
  // Bytes of x and ß have fallback tokens; y has none (its byte 0x79 is
  // missing), so y becomes unk.
  { name: "byte fallback", seed: 5,
    opts: { unk_token: "<unk>", byte_fallback: true },
    extra: ["<unk>", ...bytesOf("x"), ...bytesOf("zß")], unknown: true },
  { name: "continuing subword prefix", seed: 6,
    opts: { continuing_subword_prefix: "##", unk_token: "<unk>" },
    prefix: "##", unknown: true },
  { name: "end of word suffix", seed: 7,
    opts: { end_of_word_suffix: "</w>", unk_token: "<unk>" },
    suffix: "</w>", unknown: true },
  { name: "prefix and suffix", seed: 8,
    opts: { continuing_subword_prefix: "##", end_of_word_suffix: "</w>" },
    prefix: "##", suffix: "</w>", unknown: true },
  { name: "ignore merges", seed: 9, opts: { ignore_merges: true },
    extra: ["edcba", "aaaa", "中😀"],
    extraWords: ["edcba", "aaaa", "中😀", "edcbae"] },
];

(async () => {
  const out = [];
  for (const spec of MODELS) {
    const extra = ["<unk>", ...(spec.extra || [])];
    const { vocab, merges } = makeVocab(spec.seed, 120, spec.prefix || "",
                                        spec.suffix || "", extra);
    const model = Object.assign({
      type: "BPE", dropout: null, unk_token: null,
      continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab, merges }, spec.opts);
    const tk = Tokenizer.fromString(JSON.stringify({
      version: "1.0", truncation: null, padding: null, added_tokens: [],
      normalizer: null, pre_tokenizer: null, post_processor: null,
      decoder: null, model }));
    const cases = [];
    const ws = words(spec.seed * 7919, 150, !!spec.unknown,
                     spec.extraWords || ["aaaaaaaaaaaaaaaa", "abababab"]);
    for (const w of ws) {
      const e = await tk.encode(w);
      cases.push({ word: w, ids: e.getIds(), offsets: e.getOffsets() });
    }
    out.push(Object.assign({ name: spec.name }, model, { cases }));
  }
  process.stdout.write(JSON.stringify(out, null, 0).replace(/},{"word"/g,
    '},\n{"word"') + "\n");
})();
