# One thread, two threads, and a second run: the same file, byte for byte.
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
for model in bpe bytelevel-bpe; do
    $TOK train --model $model --vocab-size 3000 --threads 1 \
        ../data/train/corpus.txt -o "$t/a.json" || exit 1
    $TOK train --model $model --vocab-size 3000 --threads 2 \
        ../data/train/corpus.txt -o "$t/b.json" || exit 1
    $TOK train --model $model --vocab-size 3000 --threads 2 \
        ../data/train/corpus.txt -o "$t/c.json" || exit 1
    cmp "$t/a.json" "$t/b.json" && cmp "$t/b.json" "$t/c.json" &&
        echo "$model: same"
done
