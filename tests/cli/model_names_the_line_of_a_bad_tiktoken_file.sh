# Errors in a .tiktoken file name the file and line, and exit 1;
# special_tokens.json must be beside it.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
try() {
    echo x | $TOK encode -m "$1" 2> "$d/err"
    echo "exit $?"
    sed "s|$d|DIR|" "$d/err"
}
cp data/tiny-tiktoken/special_tokens.json "$d/"
head -n 3 data/tiny-tiktoken/tiny.tiktoken > "$d/bad.tiktoken"
printf 'YW*j 3\n' >> "$d/bad.tiktoken"
try "$d/bad.tiktoken"
head -n 3 data/tiny-tiktoken/tiny.tiktoken > "$d/bad.tiktoken"
printf 'YWJj three\n' >> "$d/bad.tiktoken"
try "$d/bad.tiktoken"
cat data/tiny-tiktoken/tiny.tiktoken data/tiny-tiktoken/tiny.tiktoken \
    > "$d/bad.tiktoken"
try "$d/bad.tiktoken"
head -n 255 data/tiny-tiktoken/tiny.tiktoken > "$d/bad.tiktoken"
try "$d/bad.tiktoken"
rm "$d/special_tokens.json"
cp data/tiny-tiktoken/tiny.tiktoken "$d/"
try "$d/tiny.tiktoken"
try "$d/missing.tiktoken"
