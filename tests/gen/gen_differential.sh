#!/bin/sh
# Makes tests/data/differential: 4,000 lines of random text drawn from many
# Unicode blocks and tricky pieces (special tokens, odd spaces, combining
# marks, controls, unassigned code points), and the ids Hugging Face
# tokenizers 0.23.2 gives each line with each shipped model.
# Needs python3 and node with `tokenizers@0.23.2` on NODE_PATH.
# Usage: tests/gen/gen_differential.sh
set -eu
cd "$(dirname "$0")/../.."
out=tests/data/differential
python3 - "$out/texts.txt" <<'PY'
import random, sys
random.seed(42)
blocks = [(0x20, 0x7e)] * 6 + [
    (0x80, 0x2ff), (0x300, 0x36f), (0x370, 0x3ff), (0x400, 0x4ff),
    (0x590, 0x5ff), (0x600, 0x6ff), (0x900, 0x97f), (0xe00, 0xe7f),
    (0x1100, 0x11ff), (0x1e00, 0x1fff), (0x2000, 0x206f), (0x2070, 0x209f),
    (0x20a0, 0x214f), (0x2150, 0x218f), (0x2190, 0x23ff), (0x2460, 0x24ff),
    (0x2e00, 0x2e7f), (0x3000, 0x30ff), (0x3400, 0x4dbf), (0x4e00, 0x9fff),
    (0xac00, 0xd7a3), (0xf900, 0xfaff), (0xfb00, 0xfb4f), (0xfe00, 0xfe6f),
    (0xff00, 0xffef), (0xfff0, 0xffff), (0x10000, 0x1007f),
    (0x1d400, 0x1d7ff), (0x1f300, 0x1faff), (0x20000, 0x2a6df),
    (0xe0000, 0xe007f), (0x1c80, 0x1c8f), (0xa7c0, 0xa7ff),
    (0x10d40, 0x10d8f), (0x0, 0x1f)]
pieces = [' ', '  ', '\t', "'s", "'LL", 'ing', 'the', '123', '4567', ',',
          '.', '[CLS]', '[SEP]', '<|endoftext|>', '\u00a0', '\u200b',
          '\ufeff', '\u3000', '\r', '\x00', 'é', 'e\u0301', 'İ', 'Σ', 'ﬁ',
          'ǅ']
lines = []
for i in range(20000):
    s = []
    for _ in range(random.randint(0, 40)):
        if random.random() < 0.3:
            s.append(random.choice(pieces))
        else:
            a, b = random.choice(blocks)
            c = random.randint(a, b)
            if 0xd800 <= c <= 0xdfff or c == 10:
                continue
            s.append(chr(c))
    lines.append(''.join(s))
with open(sys.argv[1], 'w', encoding='utf-8', newline='\n') as f:
    f.write('\n'.join(lines[:4000]) + '\n')
PY
for m in bert-base-uncased bert-base-cased gpt2; do
    node -e '
const fs = require("fs"), tk = require("tokenizers");
const [tp, input] = process.argv.slice(1);
(async () => {
  const tok = tk.Tokenizer.fromFile(tp);
  const lines = fs.readFileSync(input, "utf8").split("\n");
  lines.pop();
  const out = [];
  for (const l of lines)
    out.push((await tok.encode(l, null, {addSpecialTokens: true}))
             .getIds().join(" "));
  fs.writeFileSync(1, out.join("\n") + "\n");
})();' "vocab/$m/tokenizer.json" "$out/texts.txt" > "$out/$m.ids"
done
