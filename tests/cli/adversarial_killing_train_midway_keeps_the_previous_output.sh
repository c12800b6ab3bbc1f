# `tok train` killed with SIGKILL midway -- it has read half its corpus
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# from a pipe and waits for the rest -- leaves the previous output file
# as it was and no partial or temporary file beside it.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir "$t/out"
printf '{"previous": true}\n' > "$t/out/tokenizer.json"
mkfifo "$t/fifo"
$TOK train -q --vocab-size 5000 -o "$t/out/tokenizer.json" - < "$t/fifo" &
pid=$!
exec 3> "$t/fifo"
cat "${TOK_TEST_DATA:-$PWD/../data}/train/corpus.txt" >&3
kill -KILL "$pid"
wait "$pid"
echo "killed: exit $?"
exec 3>&-
cat "$t/out/tokenizer.json"
ls -A "$t/out"
