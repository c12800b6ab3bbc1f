# `tok train` without -o is a usage error: nothing is trained.
$TOK train ../data/train/corpus.txt
