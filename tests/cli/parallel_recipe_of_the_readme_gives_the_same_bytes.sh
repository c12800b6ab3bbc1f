# Issue 5: the GNU parallel recipe of README.md, run as it is written there
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# (with blocks of 200 kB and a vocabulary of 1000 instead of 64 MB and
# 32000, so that this corpus of 2 MB makes several jobs): counting in
# parallel, adding up and training from the counts gives the same bytes as
# training on the whole corpus, and encoding in parallel the same bytes as
# one tok encode.  Also three shards counted one by one and merged.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
readme=$(cd ../.. && pwd)/README.md
cd "$d" || exit 1
# parallel runs `tok` in its own shells: a tok on the PATH.
mkdir bin
printf '#!/bin/sh\nexec %s "$@"\n' "$TOK" > bin/tok
chmod +x bin/tok
PATH=$d/bin:$PATH
export PATH
cp "$TOK_TEST_DATA/train/corpus.txt" corpus.txt
sed -n '/^<!-- parallel recipe -->$/,/^<!-- end of the parallel recipe -->$/p' \
    "$readme" | sed -n 's/^    //p' |
    sed -e 's/--block 64M/--block 200k/' \
        -e 's/--vocab-size 32000/--vocab-size 1000/' > recipe.sh
grep -c '^parallel --pipe' recipe.sh
sh -e recipe.sh || echo "the recipe failed"
tok train --model bytelevel-bpe --vocab-size 1000 --special '<|endoftext|>' \
    corpus.txt -o whole.json
cmp tokenizer.json whole.json && echo "trained from parallel counts: same"
tok encode -m whole.json -f u16 --append '<|endoftext|>' corpus.txt |
    cmp - train.bin && echo "encoded in parallel: same"
# Shards counted apart, merged, trained: the same too.
split -n l/3 corpus.txt shard.
for s in shard.aa shard.ab shard.ac; do
    tok count --model bytelevel-bpe "$s" > "$s.counts"
done
tok count --merge shard.aa.counts shard.ab.counts shard.ac.counts \
    > merged.tsv
cmp merged.tsv counts.tsv && echo "3 shards merged: the same counts"
tok train --model bytelevel-bpe --vocab-size 1000 --special '<|endoftext|>' \
    --from-counts merged.tsv -o shards.json
cmp shards.json whole.json && echo "trained from 3 shards: same"
