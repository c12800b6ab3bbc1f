#!/bin/sh
# Rebuilds the shipped tokenizer.json files from the original vocabulary
# files with `tok convert`.  Usage: vocab/build.sh [TOK] [SOURCE_DIR]
#   TOK         the tok binary (default build/tok)
#   SOURCE_DIR  folder with bert-base-uncased/vocab.txt,
#               bert-base-cased/vocab.txt, gpt2/vocab.json + merges.txt,
#               cl100k_base/cl100k_base.tiktoken + special_tokens.json
#               (default ../shared/vocab beside the repository)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tok=${1:-$here/../build/tok}
src=${2:-$here/../../shared/vocab}
"$tok" convert -m "$src/bert-base-uncased/vocab.txt" --lowercase \
    -o "$here/bert-base-uncased/tokenizer.json"
"$tok" convert -m "$src/bert-base-cased/vocab.txt" --cased \
    -o "$here/bert-base-cased/tokenizer.json"
"$tok" convert -m "$src/gpt2/vocab.json" -o "$here/gpt2/tokenizer.json"
"$tok" convert -m "$src/cl100k_base/cl100k_base.tiktoken" \
    -o "$here/cl100k_base/tokenizer.json"
