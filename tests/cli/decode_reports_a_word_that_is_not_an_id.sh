printf '7592\n7592 hello 102\n' | $TOK decode
echo "exit $?"
printf '12x\n' | $TOK decode
echo "exit $?"
