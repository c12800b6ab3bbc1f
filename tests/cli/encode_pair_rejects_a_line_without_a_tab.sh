printf 'Is it raining?\tNo.\nno tab here\nnever read\tx\n' |
    $TOK encode --pair
