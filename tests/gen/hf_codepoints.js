// Dumps what Hugging Face tokenizers 0.23.2 does to every code point, one
// line per code point (or range) where it is not the identity:
//
//   KIND FIRST[..LAST] RESULT
//
// RESULT is the output as hex code points joined by ',' or '-' for none.
// The normalizer stage is checked against this file (test_normalize.c),
// and tests/gen/mktables.c derives from it the tables that record where
// HF's Unicode data (unicode_categories 8.0, unicode-normalization 9.0,
// Rust's std) differs from utf8proc's.
//
//   cd /tmp/hfn && npm install tokenizers@0.23.2
//   NODE_PATH=/tmp/hfn/node_modules node tests/gen/hf_codepoints.js \
//       > tests/data/normalize/codepoints.txt
"use strict";
const tk = require("tokenizers");

const cps = [];
for (let c = 0; c <= 0x10ffff; c++)
    if (c < 0xd800 || c > 0xdfff)
        cps.push(c);

const hex = (s) => s === "" ? "-" :
    Array.from(s).map((ch) => ch.codePointAt(0).toString(16)).join(",");

// Hangul syllables decompose by formula; keep one in 37 (and every LV)
// so the file stays small.
const sampled = (c) => c < 0xac00 || c > 0xd7a3 ||
    (c - 0xac00) % 28 === 0 || (c - 0xac00) % 37 === 0;

const lines = [];
// Runs of code points with the same constant result become one range.
let run = null;
function flush() {
    if (!run)
        return;
    const r = run.first === run.last ? run.first.toString(16) :
        run.first.toString(16) + ".." + run.last.toString(16);
    lines.push(`${run.kind} ${r} ${run.result}`);
    run = null;
}
function add(kind, c, result, mergeable) {
    if (run && mergeable && run.kind === kind && run.result === result &&
        run.last === c - 1) {
        run.last = c;
        return;
    }
    flush();
    run = { kind, first: c, last: c, result };
    if (!mergeable)
        flush();
}

// Normalizes every code point with a separator between them, in batches.
// With flag set, a result of " c " (spaces around c) is recorded as "1".
function each(kind, norm, sep, filter, mergeable, flag) {
    const sepcp = sep.codePointAt(0);
    const todo = cps.filter((c) => c !== sepcp && filter(c));
    const out = new Map();
    for (let i = 0; i < todo.length; i += 8192) {
        const part = todo.slice(i, i + 8192);
        const s = part.map((c) => String.fromCodePoint(c)).join(sep);
        const r = norm.normalizeString(s).split(sep);
        if (r.length !== part.length)
            throw new Error(`${kind}: separator ${sepcp} was changed`);
        part.forEach((c, k) => out.set(c, r[k]));
    }
    if (filter(sepcp))
        out.set(sepcp, norm.normalizeString(sep));
    for (const c of cps) {
        if (!out.has(c))
            continue;
        const r = out.get(c);
        const ch = String.fromCodePoint(c);
        if (flag && r === " " + ch + " ")
            add(kind, c, "1", true);
        else if (r !== ch)
            add(kind, c, hex(r), mergeable);
    }
    flush();
}

const all = () => true;
const P = "\ue000";   // private use: no normalizer but clean_text touches it
each("clean", tk.bertNormalizer({ cleanText: true, handleChineseChars: false,
    stripAccents: false, lowercase: false }), "A", all, true);
each("bertstrip", tk.bertNormalizer({ cleanText: false,
    handleChineseChars: false, stripAccents: true, lowercase: false }), P,
    sampled, false);
each("bertchinese", tk.bertNormalizer({ cleanText: false,
    handleChineseChars: true, stripAccents: false, lowercase: false }), P,
    all, false, true);
each("lower", tk.lowercase(), P, all, false);
each("stripaccents", tk.stripAccentsNormalizer(), P, all, true);
each("nfd", tk.nfdNormalizer(), P, sampled, false);
each("nfkd", tk.nfkdNormalizer(), P, sampled, false);
each("nfc", tk.nfcNormalizer(), P, all, false);
each("nfkc", tk.nfkcNormalizer(), P, all, false);

// BertPreTokenizer: "a?a" gives 3 pieces when ? is punctuation, 2 when it
// is whitespace.  Strip: a lone character vanishes when it is whitespace.
const pt = tk.bertPreTokenizer();
const strip = tk.stripNormalizer(true, true);
for (const c of cps) {
    const n = pt.preTokenizeString("a" + String.fromCodePoint(c) + "a").length;
    if (n === 3)
        add("punct", c, "1", true);
}
flush();
for (const c of cps)
    if (strip.normalizeString(String.fromCodePoint(c)) === "")
        add("space", c, "1", true);
flush();
// A mark of nonzero combining class between 'a' and U+0301 or U+0323 lets
// one of them compose with the 'a' (classes 220 and 230 block only one
// each); a character of class 0 blocks both.
const nfc = tk.nfcNormalizer();
for (const c of cps) {
    const ch = String.fromCodePoint(c);
    if (!nfc.normalizeString("a" + ch + "\u0301").startsWith("a") ||
        !nfc.normalizeString("a" + ch + "\u0323").startsWith("a"))
        add("ccc", c, "1", true);
}
flush();
process.stdout.write(lines.join("\n") + "\n");
