printf '101 7592 102\n7592 30522 102\n101\n' | $TOK decode
echo "exit $?"
printf '7592 -1\n' | $TOK decode
echo "exit $?"
printf '7592 99999999999999999999\n' | $TOK decode
echo "exit $?"
