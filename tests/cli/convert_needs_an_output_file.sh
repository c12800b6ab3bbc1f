# Without -o, convert is a usage error.
$TOK convert -m bert-base-uncased
