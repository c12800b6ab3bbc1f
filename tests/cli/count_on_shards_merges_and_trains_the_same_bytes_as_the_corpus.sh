# Issue 5: tok count on 3 shards, tok count --merge, tok train
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# --from-counts give the same tokenizer.json, byte for byte, as tok train
# on the whole corpus -- for each model, with its default pipeline.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
corpus=$TOK_TEST_DATA/train/corpus.txt
split -n l/3 "$corpus" shard.
for m in bpe bytelevel-bpe wordpiece; do
    for s in shard.aa shard.ab shard.ac; do
        $TOK count --model $m "$s" > "$m.$s" || echo "exit $?"
    done
    $TOK count --merge $m.shard.aa $m.shard.ab $m.shard.ac > $m.counts
    $TOK count --model $m --threads 3 < "$corpus" | cmp - $m.counts &&
        echo "$m: the counts of the corpus"
    $TOK train --model $m --vocab-size 1200 --from-counts $m.counts \
        -o from-counts.json
    $TOK train --model $m --vocab-size 1200 "$corpus" -o whole.json
    cmp from-counts.json whole.json && echo "$m: the same tokenizer.json"
done
# Any order, repeated words, one stream: counts add up by word.
sort -R --random-source="$corpus" bpe.shard.ab > shuffled
cat bpe.shard.aa shuffled bpe.shard.ac | $TOK count --merge | cmp - bpe.counts &&
    echo "summed from one unsorted stream"
head -3 wordpiece.counts
