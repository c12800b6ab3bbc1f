#!/usr/bin/env node
/* Generates tests/data/unicode/hf_props.txt: every character class that
 * tok asks about, as Hugging Face tokenizers 0.23.2 answers it for each
 * code point, read from the library itself through its Node binding.  HF
 * takes these classes from five sources of different Unicode versions
 * (Rust's std, the regex crate, Oniguruma, the unicode_categories crate at
 * Unicode 8.0 and unicode-normalization-alignments), so no one table of
 * Unicode data gives them; each is probed through the component that uses
 * it, with every code point in a context where the answer shows.
 *
 * Usage:
 *     (cd /some/scratch && npm install tokenizers@0.23.2)
 *     NODE_PATH=/some/scratch/node_modules \
 *         node tests/gen/gen_unicode_fixture.js
 * then tests/gen/mkunicode.c turns the fixture into the tables of
 * src/lib/unicode_tables.c, without HF.  Deterministic: the same library
 * gives the same file.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const tk = require('tokenizers');

const repo = path.resolve(__dirname, '..', '..');
const outFile = path.join(repo, 'tests', 'data', 'unicode', 'hf_props.txt');
const NCP = 0x110000;
const CHUNK = 4096;

function isScalar(c) {
    return c < 0xd800 || c > 0xdfff;
}

/* The code points in chunks of CHUNK, surrogates left out. */
const chunks = [];
for (let c = 0, cur = []; c < NCP; c++) {
    if (isScalar(c))
        cur.push(c);
    if (cur.length === CHUNK || c === NCP - 1) {
        chunks.push(cur);
        cur = [];
    }
}

/* Pre-tokenizes sep c1 sep c2 sep ... sep for each chunk and calls
 * visit(c, pieceStart, pieceEnd) for every c that lies inside a piece,
 * with the piece's bounds in positions of the string (one per code
 * point: the binding reports offsets in code points). */
function eachPiece(pt, sep, skip, visit) {
    for (const chunk of chunks) {
        const cps = chunk.filter((c) => !skip(c));
        const pos = [];          /* position of each string char, or -1 */
        let s = sep;
        if (sep)
            pos.push(-1);
        for (const c of cps) {
            s += String.fromCodePoint(c) + sep;
            pos.push(c);
            if (sep)
                pos.push(-1);
        }
        for (const [, [a, b]] of pt.preTokenizeString(s)) {
            for (let i = a; i < b; i++)
                if (pos[i] >= 0)
                    visit(pos[i], a, b, i);
        }
    }
}

/* Normalizes sep c1 sep c2 ... and returns a map c -> its output, read
 * back between the separators (which the normalizer must keep). */
function eachNormalized(norm, sep, skip) {
    const out = new Map();
    for (const chunk of chunks) {
        const cps = chunk.filter((c) => !skip(c));
        const s = sep + cps.map((c) => String.fromCodePoint(c)).join(sep) +
            sep;
        const r = norm.normalizeString(s).split(sep);
        if (r.length !== cps.length + 2)
            throw new Error('a separator was changed');
        cps.forEach((c, k) => out.set(c, r[k + 1]));
    }
    return out;
}

function splitRegex(re) {
    const j = {
        version: '1.0', truncation: null, padding: null, added_tokens: [],
        normalizer: null,
        pre_tokenizer: { type: 'Split', pattern: { Regex: re },
            behavior: 'Removed', invert: false },
        post_processor: null, decoder: null,
        model: { type: 'WordLevel', vocab: { '[UNK]': 0 },
            unk_token: '[UNK]' },
    };
    return tk.Tokenizer.fromString(JSON.stringify(j)).getPreTokenizer();
}

const none = () => false;

/* Code points a Removed split leaves out of every piece: its matches. */
function removed(pt) {
    const kept = new Uint8Array(NCP);
    eachPiece(pt, '', none, (c) => { kept[c] = 1; });
    const set = new Uint8Array(NCP);
    for (let c = 0; c < NCP; c++)
        set[c] = isScalar(c) && !kept[c] ? 1 : 0;
    return set;
}

/* Code points that form a piece of their own between two separators. */
function alone(pt, sep) {
    const set = new Uint8Array(NCP);
    const sc = sep.codePointAt(0);
    eachPiece(pt, sep, (c) => c === sc, (c, a, b) => {
        if (b - a === 1)
            set[c] = 1;
    });
    return { set, sep: sc };
}

function fromMap(map, test) {
    const set = new Uint8Array(NCP);
    for (const [c, r] of map)
        if (test(c, r))
            set[c] = 1;
    return set;
}

function same(name, a, b) {
    for (let c = 0; c < NCP; c++)
        if (a[c] !== b[c])
            throw new Error(`${name} disagree at U+${c.toString(16)}: ` +
                `${a[c]} ${b[c]}`);
}

const props = {};

/* Rust's char::is_whitespace (WhitespaceSplit, BertPreTokenizer, Strip,
 * clean_text), the regex crate's \s (Whitespace) and Oniguruma's \s
 * (ByteLevel, Split) must all be White_Space. */
props.space = removed(tk.whitespaceSplitPreTokenizer());
same('Oniguruma \\s and char::is_whitespace',
    removed(splitRegex('\\s')), props.space);

/* Oniguruma's \p{L} and \p{N}, as the GPT-2 and cl100k patterns see them. */
props.letter = removed(splitRegex('\\p{L}'));
props.number = removed(splitRegex('\\p{N}'));

/* The same classes read from the ByteLevel pre-tokenizer itself:
 * "a" c "1" gives "ac" "1" for a letter, "a" "c1" for a number. */
{
    const pt = tk.byteLevelPreTokenizer(false, true);
    const L = new Uint8Array(NCP), N = new Uint8Array(NCP);
    for (const chunk of chunks) {
        const cps = chunk.filter((c) => c >= 0x80);
        let s = '';
        for (const c of cps)
            s += 'a' + String.fromCodePoint(c) + '1';
        for (const [, [a, b]] of pt.preTokenizeString(s)) {
            if (b - a !== 2)
                continue;
            const k = Math.floor(a / 3), c = cps[k];
            if (a % 3 === 0)
                L[c] = 1;
            else if (a % 3 === 1)
                N[c] = 1;
        }
    }
    for (let c = 0; c < 0x80; c++) {
        L[c] = props.letter[c];
        N[c] = props.number[c];
    }
    same('ByteLevel and \\p{L}', L, props.letter);
    same('ByteLevel and \\p{N}', N, props.number);
}

/* Rust's char::is_numeric, which the Digits pre-tokenizer splits on. */
{
    const r = alone(tk.digitsPreTokenizer(true), 'a');
    props.numeric = r.set;
}

/* The regex crate's \w: "!" c "!" leaves a word character alone, merges
 * anything else but whitespace with the "!"s, and drops whitespace. */
{
    const pt = tk.whitespacePreTokenizer();
    const r = alone(pt, '!');
    props.word = r.set;
    const kept = new Uint8Array(NCP);
    eachPiece(pt, '!', (c) => c === 0x21, (c) => { kept[c] = 1; });
    kept[0x21] = 1;
    const ws = new Uint8Array(NCP);
    for (let c = 0; c < NCP; c++)
        ws[c] = isScalar(c) && !kept[c] ? 1 : 0;
    same('regex \\s and char::is_whitespace', ws, props.space);
}

/* BertPreTokenizer and Punctuation: ASCII punctuation or the
 * unicode_categories crate's P*. */
{
    const bert = alone(tk.bertPreTokenizer(), 'a').set;
    const punct = alone(tk.punctuationPreTokenizer('isolated'), 'a').set;
    same('BertPreTokenizer and Punctuation', bert, punct);
    props.bert_punct = bert;
}

/* clean_text deletes U+0000, U+FFFD and the crate's is_other() except
 * tab, LF and CR, and turns whitespace into spaces. */
{
    const m = eachNormalized(tk.bertNormalizer({ cleanText: true,
        handleChineseChars: false, stripAccents: false, lowercase: false }),
    'A', (c) => c === 0x41);
    props.other = fromMap(m, (c, r) => r === '' && c !== 0xfffd);
    for (const c of [0x09, 0x0a, 0x0d])
        props.other[c] = 1;
    const sp = fromMap(m, (c, r) => r === ' ' && c !== 0x20);
    sp[0x20] = 1;
    for (let c = 0; c < NCP; c++)
        if (sp[c] !== props.space[c] && !props.other[c])
            throw new Error(`clean_text whitespace at U+${c.toString(16)}`);
}

/* BERT's strip_accents: NFD, then the crate's is_mark_nonspacing()
 * deletes (the separator is private use, which no NFD gives).  A
 * character it deletes whole is a nonspacing mark (the few that decompose
 * do so into nonspacing marks). */
props.mark_nonspacing = fromMap(eachNormalized(tk.bertNormalizer({
    cleanText: false, handleChineseChars: false, stripAccents: true,
    lowercase: false }), '\ue000', (c) => c === 0xe000), (c, r) => r === '');

/* The StripAccents normalizer: unicode-normalization's
 * is_combining_mark(), with no NFD before it. */
props.combining_mark = fromMap(eachNormalized(tk.stripAccentsNormalizer(),
    'A', (c) => c === 0x41), (c, r) => r === '');

/* handle_chinese_chars: " c " around each "Chinese character". */
props.cjk = fromMap(eachNormalized(tk.bertNormalizer({ cleanText: false,
    handleChineseChars: true, stripAccents: false, lowercase: false }), '!',
(c) => c === 0x21), (c, r) => r === ' ' + String.fromCodePoint(c) + ' ');

/* Rust's char::to_lowercase, through the Lowercase normalizer. */
const lower = eachNormalized(tk.lowercase(), '!', (c) => c === 0x21);

/* ---- output ---- */

const hex = (c) => c.toString(16).toUpperCase().padStart(4, '0');
const lines = [
    '# Character classes of Hugging Face tokenizers 0.23.2, probed from the',
    '# library by tests/gen/gen_unicode_fixture.js; do not edit.',
    '# PROPERTY FIRST[..LAST]: the code points that have the property.',
    '# lower FIRST[..LAST] +D: each lowercases to itself plus D;',
    '# lower CP X,Y: CP lowercases to several characters.',
];
for (const name of Object.keys(props)) {
    const set = props[name];
    for (let c = 0; c < NCP; c++) {
        if (!set[c])
            continue;
        let e = c;
        while (e + 1 < NCP && set[e + 1])
            e++;
        lines.push(`${name} ${hex(c)}${e > c ? '..' + hex(e) : ''}`);
        c = e;
    }
}
{
    const delta = new Map();
    for (const [c, r] of lower) {
        const ch = String.fromCodePoint(c);
        if (r === ch)
            continue;
        const cps = Array.from(r).map((x) => x.codePointAt(0));
        delta.set(c, cps.length === 1 ? cps[0] - c : cps);
    }
    const keys = [...delta.keys()].sort((a, b) => a - b);
    for (let i = 0; i < keys.length; i++) {
        const c = keys[i], d = delta.get(c);
        if (Array.isArray(d)) {
            lines.push(`lower ${hex(c)} ${d.map(hex).join(',')}`);
            continue;
        }
        let j = i;
        while (j + 1 < keys.length && keys[j + 1] === keys[j] + 1 &&
               delta.get(keys[j + 1]) === d)
            j++;
        const e = keys[j];
        lines.push(`lower ${hex(c)}${e > c ? '..' + hex(e) : ''} ` +
            `${d < 0 ? '-' : '+'}${Math.abs(d).toString(16).toUpperCase()}`);
        i = j;
    }
}
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, lines.join('\n') + '\n');
for (const name of Object.keys(props))
    console.log(`${name}: ${props[name].reduce((a, b) => a + b, 0)}`);
console.log(`lower: ${lower.size} probed`);
