# -f u16 holds ids up to 65535: a bigger vocabulary is refused before
# anything is written, and -f u32 carries its ids.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
{
    printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n'
    seq 1 70000 | sed 's/^/w/'
} > vocab.txt
echo 'w69999 w1' | $TOK encode -m vocab.txt -f u16 > out
echo "exit $?"
wc -c < out
echo 'w69999 w1' | $TOK encode -m vocab.txt -f u32 > out
echo "exit $?"
od -An -tu4 out
$TOK decode -m vocab.txt -f u32 out
# 65536 ids still fit.
head -65536 vocab.txt > v65536.txt
echo 'w65531' | $TOK encode -m v65536.txt -f u16 --no-special | od -An -tu2
