# `tok encode | head -1`: no message, exit status 0.
{ seq 1 100000 | $TOK encode; echo "tok exit $?" >&2; } | head -1
