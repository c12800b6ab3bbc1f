# JSON nested 100,000 deep, tokenizer.json and vocab.txt cut at every kth
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# byte: each is an error (exit 1) or, for a vocab.txt cut after its
# special tokens, a smaller vocabulary that works -- never a crash.
# Under valgrind, fewer cuts (one of each kind), for time.
case $TOK in
*valgrind*) json_cuts="1 300007 700001" txt_cuts="1 5000 14998 34994" ;;
*) json_cuts=$(seq 1 24989 711396) txt_cuts=$(seq 1 4999 231508) ;;
esac
vocab=${TOK_VOCAB_DIR:-$PWD/../../vocab}
data=${TOK_TEST_DATA:-$PWD/../data}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["
             for (i = 0; i < 100000; i++) printf "]" }' > deep.json
$TOK info -m ./deep.json
echo "exit $?"
awk 'BEGIN { printf "{\"model\": "
             for (i = 0; i < 100000; i++) printf "{\"a\":"
             printf "1"
             for (i = 0; i < 100000; i++) printf "}"
             printf "}" }' > deep.json
$TOK info -m ./deep.json
echo "exit $?"
# A status per cut; statuses over 1 would be crashes.
json=$vocab/bert-base-uncased/tokenizer.json
for cut in $json_cuts; do
    head -c $cut "$json" > cut.json
    echo hello | $TOK encode -m ./cut.json > /dev/null 2>&1
    echo "tokenizer.json cut: exit $?"
done | sort | uniq -c | sed 's/^ *[0-9]* //'
txt=$data/json/import/bert-base-uncased/vocab.txt
mkdir v
for cut in $txt_cuts; do
    head -c $cut "$txt" > v/vocab.txt
    echo hello | $TOK encode -m v/vocab.txt > out 2>&1
    status=$?
    # Cut before [SEP] (line 103, bytes 1097-1101), the file is refused;
    # cut inside a character, it is not UTF-8; cut inside a line, the
    # piece left may be a token already there; else it encodes.
    case $status.$((cut >= 1102)).$(cat out) in
    1.0.*) echo "vocab.txt cut before the special tokens: exit 1" ;;
    1.1.*"invalid UTF-8"*) echo "vocab.txt cut inside a character: exit 1" ;;
    1.1.*"is already on line"*) echo "vocab.txt cut to a token twice: exit 1" ;;
    "0.1.101 "*" 102") echo "vocab.txt cut after them: encodes" ;;
    *) echo "vocab.txt cut at $cut: exit $status: $(cat out)" ;;
    esac
done | sort | uniq -c | sed 's/^ *[0-9]* //'
