# `tok --help` lists the commands, the shipped models and the exit codes.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
$TOK --help > help.tmp; echo "exit $?"
grep -c '^usage: tok COMMAND' help.tmp
grep -c '^  encode ' help.tmp
grep -c '^  decode ' help.tmp
grep -c '^  info ' help.tmp
grep -c '^  count ' help.tmp
grep -c 'bert-base-uncased' help.tmp
grep -c '^  2  bad usage' help.tmp
grep -c '^  3  done, but bad records were skipped' help.tmp
awk 'length > 79' help.tmp
$TOK -h | cmp - help.tmp && echo same
# `tok help CMD` is `tok CMD --help`.
$TOK encode --help > encode.tmp; echo "exit $?"
$TOK help encode | cmp - encode.tmp && echo same
$TOK encode -h | cmp - encode.tmp && echo same
awk 'length > 79' encode.tmp
$TOK decode --help | grep -c -e '--skip-special'
$TOK info --help | grep -c -e '--model MODEL'
$TOK count --help | grep -c -e '--merge'
$TOK train --help | grep -c -e '--from-counts FILE'
