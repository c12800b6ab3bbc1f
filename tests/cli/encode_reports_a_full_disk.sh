echo hello | $TOK encode > /dev/full
echo "exit $?"
