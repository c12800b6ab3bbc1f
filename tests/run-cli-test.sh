#!/bin/sh
# Runs one CLI case: tests/cli/NAME.sh is run with $TOK set to the binary
# (under valgrind when TOK_VALGRIND=1) and its stdout, stderr and exit status
# are compared with NAME.stdout, NAME.stderr and NAME.exit when present.
tok_bin=$1
script=$2
base=${script%.sh}
if [ "${TOK_VALGRIND:-}" = 1 ]; then
    TOK="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 $tok_bin"
else
    TOK=$tok_bin
fi
export TOK
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$(dirname "$script")" || exit 1
sh "$script" >"$tmp/stdout" 2>"$tmp/stderr"
status=$?
fail=0
if [ -f "$base.exit" ]; then
    want=$(cat "$base.exit")
    if [ "$status" != "$want" ]; then
        echo "exit status: got $status, want $want"
        fail=1
    fi
elif [ "$status" != 0 ]; then
    echo "exit status: got $status, want 0"
    fail=1
fi
for stream in stdout stderr; do
    if [ -f "$base.$stream" ]; then
        if ! diff -u "$base.$stream" "$tmp/$stream"; then
            echo "$stream differs"
            fail=1
        fi
    fi
done
if [ $fail != 0 ]; then
    echo "--- stderr was:"
    cat "$tmp/stderr"
fi
exit $fail
