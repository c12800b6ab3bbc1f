# Offsets of the second text count from the start of the second text.
printf 'Who wrote Hamlet?\tWilliam Shakespeare wrote Hamlet around 1600.\n' |
    $TOK encode --pair -f jsonl
printf "Is it raining?\tNo, it's sunny.\n" | $TOK encode --pair
# A second TAB belongs to the second text (where BERT treats it as space).
printf "Is it raining?\tNo, it's\tsunny.\n" | $TOK encode --pair
