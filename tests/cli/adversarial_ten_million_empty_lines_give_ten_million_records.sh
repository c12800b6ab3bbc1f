# 10,000,000 empty lines: one [CLS] [SEP] record each, none lost, none
# heavy: too slow under valgrind; runs in the normal and sanitizer passes
# added.  Under valgrind, 100,000 lines, for time.
case $TOK in *valgrind*) n=100000 ;; *) n=10000000 ;; esac
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
yes '' | head -n "$n" | { $TOK encode; echo "exit $?" > "$t/status"; } |
    uniq -c | awk -v n="$n" '{ $1 = ($1 == n ? "all" : $1); print }'
cat "$t/status"
# Empty lines between text keep their places.
{ yes '' | head -n 99999; echo hello; } | $TOK encode | tail -n 2
