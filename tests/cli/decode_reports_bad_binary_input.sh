# tok decode -f u16|u32 names what is wrong with binary input: a size that
# is not a whole number of ids, an id out of range (record and byte), an
# index that does not fit the file.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
printf 'a\nb\n' | $TOK encode -f u16 --index idx > ok.u16
head -c 5 ok.u16 > odd.u16
$TOK decode -f u16 odd.u16
echo "exit $?"
# Record 2 holds 65535, past the 30522 ids of BERT.
{ head -c 6 ok.u16; printf '\145\000\377\377\146\000'; } > range.u16
$TOK decode -f u16 --index idx range.u16
echo "exit $?"
# An index for another file.
head -c 6 ok.u16 > short.u16
$TOK decode -f u16 --index idx short.u16
echo "exit $?"
head -c 12 idx > cut.idx
$TOK decode -f u16 --index cut.idx ok.u16
echo "exit $?"
printf 'not an index' > text.idx
$TOK decode -f u16 --index text.idx ok.u16
echo "exit $?"
$TOK decode --index idx ok.u16
echo "exit $?"
