// Generates hf-decode.json: token lists decoded by Hugging Face tokenizers.
//
//   npm install tokenizers@0.23.2     (in a scratch directory)
//   NODE_PATH=<scratch>/node_modules node gen-hf-decode.js > hf-decode.json
//
// Each case is a decoder (as tokenizer.json spells it), the token strings
// and the text Tokenizer.decode returns for them.  The tokens are the
// vocabulary of a WordLevel model, so decode(ids) hands the decoder
// exactly these strings.  ByteLevel cases keep to byte sequences that are
// valid UTF-8 (tok, unlike Hugging Face, does not turn invalid ones into
// U+FFFD).  No case makes Hugging Face panic (Strip past a token's end).
"use strict";
const { Tokenizer } = require("tokenizers");

const WP = (prefix, cleanup) => ({ type: "WordPiece", prefix, cleanup });
const BL = { type: "ByteLevel", add_prefix_space: true, trim_offsets: true,
             use_regex: true };
const MS = (replacement, prepend_scheme) =>
  ({ type: "Metaspace", replacement, prepend_scheme, split: true });
const BPE = (suffix) => ({ type: "BPEDecoder", suffix });
const BF = { type: "ByteFallback" };
const FUSE = { type: "Fuse" };
const STRIP = (content, start, stop) => ({ type: "Strip", content, start,
                                          stop });
const REPL = (pattern, content) =>
  ({ type: "Replace", pattern: { String: pattern }, content });
const SEQ = (...decoders) => ({ type: "Sequence", decoders });

const cleanupTokens = [
  ["hello", "##world", ",", "how", "are", "you", "?"],
  ["it", "'", "s", "john", "'", "s", "book", "."],
  ["i", "do", "not", "know", "!"],
  ["is", "n't", "i", "'m", "he", "'s", "we", "'ve", "they", "'re"],
  ["a b .", "x ' y", " do not", "##ing"],
  ["##start", "##", "un", "##aff", "##able"],
  ["single"],
];

const CASES = [];
const add = (decoder, tokens) => CASES.push({ decoder, tokens });

for (const t of cleanupTokens) {
  add(WP("##", true), t);
  add(WP("##", false), t);
}
add(WP("", true), ["a", "##b", "c"]);
add(WP("@@", true), ["a", "@@b", "##c", "@@"]);

// GPT-2 style tokens: "Ġ" is a space, "Ċ" a newline, emoji split in bytes.
add(BL, ["Hello", ",", "Ġworld", "!", "Ċ"]);
add(BL, ["ðŁ", "ĺ", "Ģ", "Ġhi"]);
add(BL, ["Ġâ", "Ĥ¬", "Ġ100"]);
add(BL, ["€uro", "Ġ€", "plain", "Ġtab", "ĉ", "end"]);
add(BL, ["ĠĠ", "Ġ", "ĉ", "Ã", "©"]);

add(MS("▁", "always"), ["▁Hello", "▁world", "▁", "!"]);
add(MS("▁", "first"), ["▁Hello", "▁world"]);
add(MS("▁", "never"), ["▁Hello", "▁world"]);
add(MS("▁", "always"), ["▁a▁b", "c▁d", "▁▁"]);
add(MS("_", "always"), ["_x", "_y_z"]);
add(MS("▁", "always"), ["no", "spaces"]);

add(BPE("</w>"), ["hel", "lo</w>", "wor", "ld</w>"]);
add(BPE("</w>"), ["a</w>b</w>", "c"]);
add(BPE(""), ["ab", "cd", "é"]);
add(BPE("</w>"), ["last</w>"]);

add(BF, ["<0x61>", "<0xE2>", "<0x82>", "<0xAC>", "x", "<0xFF>"]);
add(BF, ["<0xe2>", "<0x82>", "<0xac>", "<0x+F>", "<0xZZ>", "<0x61",
         "<0x6g>", "<0x-1>"]);
add(BF, ["<0xE2>", "<0x82>", "y", "<0xC3>"]);
add(BF, ["plain", "tokens"]);

add(FUSE, ["a", "b", "", "c"]);

add(STRIP(" ", 1, 0), ["  a  ", " b", "c "]);
add(STRIP("x", 1, 2), ["xxhixx", "hi", "xhix", "xxx"]);
add(STRIP("▁", 2, 1), ["▁▁▁a▁▁", "b▁"]);

add(REPL("▁", " "), ["▁Hello", "▁▁", "x"]);
add(REPL("ab", ""), ["aabab", "", "b", "abab"]);
add(REPL("", "X"), ["abc", "", "é"]);
add(REPL("a", "long"), ["banana"]);

// Llama / Mistral decoders.
const LLAMA = SEQ(REPL("▁", " "), BF, FUSE, STRIP(" ", 1, 0));
add(LLAMA, ["▁Hello", "▁", "<0xE2>", "<0x82>", "<0xAC>", "▁world"]);
add(LLAMA, ["<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "▁ok"]);
add(LLAMA, ["<0xF0>", "<0x9F>", "▁ok"]);
add(SEQ(MS("▁", "always"), SEQ(FUSE, STRIP("a", 1, 1))),
    ["▁ab", "▁ba"]);
add(SEQ(), ["kept", "as", "is"]);
add(SEQ(BPE("</w>"), WP("##", true)), ["a</w>", "##b", "."]);

(async () => {
  const out = [];
  for (const c of CASES) {
    const vocab = {};
    for (const t of c.tokens)
      if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
    const tk = Tokenizer.fromString(JSON.stringify({
      version: "1.0", truncation: null, padding: null, added_tokens: [],
      normalizer: null, pre_tokenizer: null, post_processor: null,
      decoder: c.decoder,
      model: { type: "WordLevel", vocab, unk_token: c.tokens[0] } }));
    const text = await tk.decode(c.tokens.map((t) => vocab[t]), false);
    out.push({ decoder: c.decoder, tokens: c.tokens, text });
  }
  process.stdout.write("[\n" + out.map((o) => JSON.stringify(o)).join(",\n") +
                       "\n]\n");
})();
