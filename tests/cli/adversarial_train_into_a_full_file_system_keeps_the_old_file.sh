# `tok train -o FILE` on a file system with no room left -- a 16 kB tmpfs,
# mounted in a mount namespace of the test's own: exit 1, the message
# names the file and the full disk, the old file is whole and nothing is
# left beside it.  Where no tmpfs can be mounted, the write fails for
# another reason (a read-only directory) and the same is checked.
t=$(mktemp -d)
trap 'chmod -R u+w "$t"; rm -rf "$t"' EXIT
mkdir "$t/small"
cat > "$t/run.sh" <<'INNER'
dir=$1 corpus=$2 reason=$3
printf '{"previous": true}\n' > "$dir/out.json"
[ "$reason" = "read-only" ] && chmod a-w "$dir"
$TOK train -q --vocab-size 2000 -o "$dir/out.json" "$corpus" 2> "$dir/../err"
echo "exit $?"
case $(cat "$dir/../err") in
"tok: $dir/out.json: No space left on device") echo "full disk named: yes" ;;
"tok: $dir/out.json: "*) [ "$reason" = "read-only" ] &&
    echo "full disk named: yes" ;;
*) cat "$dir/../err" ;;
esac
cat "$dir/out.json"
ls -A "$dir"
INNER
corpus=${TOK_TEST_DATA:-$PWD/../data}/train/corpus.txt
if unshare -rm sh -c 'mount -t tmpfs -o size=16k tmpfs "$1"' sh "$t/small" \
        2>/dev/null; then
    unshare -rm sh -c 'mount -t tmpfs -o size=16k tmpfs "$1" &&
        sh "$2" "$1" "$3" full' sh "$t/small" "$t/run.sh" "$corpus"
else
    echo "no tmpfs here: the write fails in a read-only directory" >&2
    sh "$t/run.sh" "$t/small" "$corpus" read-only
fi
