# Every command that writes reports a full disk (/dev/full) and exits 1;
# no output is lost silently.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
printf 'The quick brown fox.\n' > "$t/corpus"
# For -o, a device node of the test's own when it may make one, so that a
# regression run as root replaces that one and not the system's /dev/full.
full=/dev/full
mknod "$t/full" c 1 7 2>/dev/null && full=$t/full
run() {
    "$@" 2> "$t/err"
    status=$?
    sed "s|$full|FULL|" "$t/err" >&2
    echo "exit $status" >&2
}
echo hello | run $TOK encode -f jsonl > /dev/full
echo '101 7592 102' | run $TOK decode > /dev/full
run $TOK info > /dev/full
run $TOK --help > /dev/full
run $TOK encode --help > /dev/full
run $TOK convert -o - > /dev/full
run $TOK convert -o "$full"
run $TOK train -q --vocab-size 100 -o - "$t/corpus" > /dev/full
run $TOK train -q --vocab-size 100 -o "$full" "$t/corpus"
# It is still the device: tok wrote to it, it did not replace it.
ls -l "$full" | cut -c1 >&2
