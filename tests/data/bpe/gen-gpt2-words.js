// Generates gpt2-words.jsonl: every text of ../golden/texts.jsonl cut into
// GPT-2's pre-tokens by Hugging Face tokenizers (ByteLevel pre-tokenizer,
// bytes already mapped to the byte-level alphabet), with the ids Hugging
// Face's GPT-2 tokenizer gives the text.  Added tokens are left out, so
// "<|endoftext|>" is ordinary text here: the ids are what the BPE model
// alone must give for these words.
//
//   npm install tokenizers@0.23.2     (in a scratch directory)
//   NODE_PATH=<scratch>/node_modules node gen-gpt2-words.js \
//       ../golden/texts.jsonl ../../../vocab/gpt2/tokenizer.json \
//       > gpt2-words.jsonl
"use strict";
const fs = require("fs");
const { Tokenizer, byteLevelPreTokenizer } = require("tokenizers");

const [textsPath, tokenizerPath] = process.argv.slice(2);
const def = JSON.parse(fs.readFileSync(tokenizerPath, "utf8"));
def.added_tokens = [];
const tk = Tokenizer.fromString(JSON.stringify(def));
const pre = byteLevelPreTokenizer(false, true);

(async () => {
  const lines = fs.readFileSync(textsPath, "utf8").split("\n");
  for (const line of lines) {
    if (!line) continue;
    const { id, text } = JSON.parse(line);
    const words = pre.preTokenizeString(text).map(([w]) => w);
    const enc = await tk.encode(text);
    process.stdout.write(JSON.stringify({ id, words, ids: enc.getIds() }) +
                         "\n");
  }
})();
