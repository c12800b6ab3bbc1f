d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
$TOK info -m bert-base-uncased > info.tmp; echo "exit $?"
grep -c '^file: .*/bert-base-uncased/tokenizer.json$' info.tmp
grep -c '^model:  *WordPiece$' info.tmp
grep -c '^vocabulary size: 30522$' info.tmp
grep -c '^special tokens:$' info.tmp
grep -c -E '^  0 +\[PAD\]$' info.tmp
grep -c -E '^  100 +\[UNK\]$' info.tmp
grep -c -E '^  101 +\[CLS\]$' info.tmp
grep -c -E '^  102 +\[SEP\]$' info.tmp
grep -c -E '^  103 +\[MASK\]$' info.tmp
grep -c -E '^  normalizer +BertNormalizer' info.tmp
grep -c -E '^  pre_tokenizer +BertPreTokenizer' info.tmp
grep -c -E '^  model +WordPiece' info.tmp
grep -c -E '^  post_processor +TemplateProcessing' info.tmp
grep -c -E '^  decoder +WordPiece' info.tmp
