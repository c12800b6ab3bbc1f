#!/bin/sh
# Makes tests/data/differential/cl100k_base.ids and .ordinary.ids: the ids
# tiktoken gives each line of tests/data/differential/texts.txt with
# cl100k_base, encode(line, allowed_special="all") and encode_ordinary(line),
# and checks that Hugging Face tokenizers 0.23.2 gives the same ids with
# vocab/cl100k_base/tokenizer.json (for encode_ordinary, with its added
# tokens taken out, which is how HF reads special tokens as text) and saves
# that file back byte for byte: the shipped file is a faithful tiktoken in
# Hugging Face's format.
# Needs node with `tiktoken@1.0.22` and `tokenizers@0.23.2` on NODE_PATH.
# Usage: tests/gen/gen_cl100k.sh
set -eu
cd "$(dirname "$0")/../.."
d=tests/data/differential
node -e '
const fs = require("fs"), os = require("os"), path = require("path");
const { get_encoding } = require("tiktoken");
const { Tokenizer } = require("tokenizers");
const [texts, json, outAll, outOrdinary] = process.argv.slice(1);
(async () => {
  const lines = fs.readFileSync(texts, "utf8").split("\n");
  lines.pop();
  const enc = get_encoding("cl100k_base");
  const hf = Tokenizer.fromFile(json);
  const doc = JSON.parse(fs.readFileSync(json, "utf8"));
  doc.added_tokens = [];
  const hfOrdinary = Tokenizer.fromString(JSON.stringify(doc));
  const all = [], ordinary = [];
  let differ = 0;
  const check = (want, got, l, what) => {
    if (want.join(" ") !== got.join(" ") && differ++ < 5)
      console.error(what + ": Hugging Face differs from tiktoken on " +
                    JSON.stringify(l));
  };
  for (const l of lines) {
    const a = Array.from(enc.encode(l, "all"));
    const o = Array.from(enc.encode_ordinary(l));
    check(a, (await hf.encode(l)).getIds(), l, "encode");
    check(o, (await hfOrdinary.encode(l)).getIds(), l, "encode_ordinary");
    all.push(a.join(" "));
    ordinary.push(o.join(" "));
  }
  enc.free();
  const tmp = path.join(os.tmpdir(), "gen-cl100k-" + process.pid + ".json");
  hf.save(tmp, true);
  const same = fs.readFileSync(tmp).equals(fs.readFileSync(json));
  fs.unlinkSync(tmp);
  if (!same)
    console.error("Hugging Face saves " + json + " differently");
  if (differ)
    console.error(differ + " encodings of " + lines.length + " lines differ");
  fs.writeFileSync(outAll, all.join("\n") + "\n");
  fs.writeFileSync(outOrdinary, ordinary.join("\n") + "\n");
  process.exitCode = differ || !same ? 1 : 0;
})();' "$d/texts.txt" vocab/cl100k_base/tokenizer.json \
    "$d/cl100k_base.ids" "$d/cl100k_base.ordinary.ids"
