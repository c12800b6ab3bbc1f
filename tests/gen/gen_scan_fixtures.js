#!/usr/bin/env node
/* Generates tests/data/scan/{gpt2,cl100k}.txt, the expected pieces of
 * tok_scan_next, by running the two pre-tokenizer regexes with node's own
 * backtracking engine, which has the same leftmost-first, greedy semantics
 * as Oniguruma and fancy-regex.
 *
 * Usage: node tests/gen/gen_scan_fixtures.js [GOLDEN_DIR]
 * GOLDEN_DIR defaults to ../shared/golden next to the repository. The texts
 * of texts.jsonl are included, and every piece boundary is checked against
 * the token boundaries of the golden gpt2 and cl100k_base encodings.
 *
 * Deterministic: the same inputs give byte-identical files.
 */
'use strict';
const fs = require('fs');
const path = require('path');

const repo = path.resolve(__dirname, '..', '..');
const golden = path.resolve(process.argv[2] ||
    process.env.TOK_GOLDEN_DIR || path.join(repo, '..', 'shared', 'golden'));
const vocabDir = path.join(golden, '..', 'vocab');
const outDir = path.join(repo, 'tests', 'data', 'scan');

/* JavaScript's \s also matches U+FEFF, so spell out Unicode White_Space,
 * which is what Rust's regex crate and Oniguruma mean by \s. */
const WS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a' +
    '\\u2028\\u2029\\u202f\\u205f\\u3000';
const S = `[${WS}]`;
const NS = `[^${WS}]`;
const OTHER = `[^${WS}\\p{L}\\p{N}]`;

const GPT2 = new RegExp(
    `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?${OTHER}+` +
    `|${S}+(?!${NS})|${S}+`, 'gu');
/* Node 20 has no (?i:...) group, so the case-insensitive contractions are
 * spelled out; checkFolding() proves the sets are complete. */
const CONTR_I = "'[sS\\u017f]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]";
const CL100K = new RegExp(
    `${CONTR_I}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}` +
    `| ?${OTHER}+[\\r\\n]*|${S}*[\\r\\n]+|${S}+(?!${NS})|${S}+`, 'gu');

function checkFolding() {
    const words = ['s', 't', 're', 've', 'm', 'll', 'd'];
    const ci = new RegExp(`^(?:'${words.join("|'")})$`, 'iu');
    const spelled = new RegExp(`^(?:${CONTR_I})$`, 'u');
    for (const w of words) {
        for (let j = 0; j < w.length; j++) {
            const one = new RegExp(`^${w[j]}$`, 'iu');
            for (let c = 0; c < 0x110000; c++) {
                if (c >= 0xd800 && c < 0xe000)
                    continue;
                const x = String.fromCodePoint(c);
                if (!one.test(x))
                    continue;
                const t = "'" + w.slice(0, j) + x + w.slice(j + 1);
                if (ci.test(t) !== spelled.test(t))
                    throw new Error(`case folding differs on ${t}`);
            }
        }
    }
}

function split(re, text) {
    const pieces = [];
    let pos = 0;
    for (const m of text.matchAll(re)) {
        if (m.index !== pos)
            throw new Error(`gap at ${pos} in ${JSON.stringify(text)}`);
        pieces.push(m[0]);
        pos += m[0].length;
    }
    if (pos !== text.length)
        throw new Error(`unmatched tail in ${JSON.stringify(text)}`);
    return pieces;
}

function pieceLengths(re, text) {
    return split(re, text).map((p) => Buffer.byteLength(p, 'utf8'));
}

/* ---- checks against the golden encodings ---- */

function readJsonl(file) {
    return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l)
        .map((l) => JSON.parse(l));
}

function gpt2ByteDecoder() {
    const bs = [];
    for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
    for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
    for (let b = 0xae; b <= 0xff; b++) bs.push(b);
    const cs = bs.slice();
    let n = 0;
    for (let b = 0; b < 256; b++) {
        if (!bs.includes(b)) {
            bs.push(b);
            cs.push(256 + n++);
        }
    }
    const dec = new Map();
    bs.forEach((b, i) => dec.set(String.fromCodePoint(cs[i]), b));
    return dec;
}

/* Byte offsets where the regex cuts, after the text has been cut at the
 * special tokens (which never reach the pre-tokenizer). */
function expectedCuts(re, text, specials) {
    const cuts = [];
    let segs = [text];
    if (specials.length) {
        const alt = specials.map((s) => s.replace(/[|]/g, '\\|')).join('|');
        segs = text.split(new RegExp(`(${alt})`, 'u'));
    }
    let off = 0;
    for (const seg of segs) {
        if (specials.includes(seg)) {
            cuts.push(off);
            off += Buffer.byteLength(seg);
            cuts.push(off);
            continue;
        }
        for (const p of split(re, seg)) {
            cuts.push(off);
            off += Buffer.byteLength(p);
        }
    }
    cuts.push(off);
    return cuts;
}

function checkCuts(name, re, rec, tokenBytes, specials) {
    const bounds = new Set([0]);
    let off = 0;
    for (const b of tokenBytes) {
        off += b.length;
        bounds.add(off);
    }
    const total = Buffer.byteLength(rec.text);
    if (off !== total)
        throw new Error(`${name} ${rec.id}: tokens cover ${off} of ${total}`);
    for (const c of expectedCuts(re, rec.text, specials))
        if (!bounds.has(c))
            throw new Error(`${name} ${rec.id}: cut ${c} is inside a token`);
}

function checkGolden() {
    const dec = gpt2ByteDecoder();
    const gpt2Bytes = (rec) => rec.tokens.map((t) =>
        t === '<|endoftext|>' ? Buffer.from(t)
            : Buffer.from([...t].map((ch) => dec.get(ch))));
    let n = 0;
    for (const rec of readJsonl(path.join(golden, 'gpt2.jsonl'))) {
        checkCuts('gpt2', GPT2, rec, gpt2Bytes(rec), ['<|endoftext|>']);
        n++;
    }
    const splitFile = path.join(golden, 'gpt2.split_special.jsonl');
    for (const rec of readJsonl(splitFile)) {
        checkCuts('gpt2 split_special', GPT2, rec, gpt2Bytes(rec), []);
        n++;
    }

    const ranks = new Map();
    const tk = fs.readFileSync(
        path.join(vocabDir, 'cl100k_base', 'cl100k_base.tiktoken'), 'utf8');
    for (const line of tk.split('\n')) {
        if (!line) continue;
        const [b64, rank] = line.split(' ');
        ranks.set(Number(rank), Buffer.from(b64, 'base64'));
    }
    const sp = JSON.parse(fs.readFileSync(
        path.join(vocabDir, 'cl100k_base', 'special_tokens.json'), 'utf8'));
    for (const [s, id] of Object.entries(sp.special_tokens))
        ranks.set(id, Buffer.from(s));
    const specials = Object.keys(sp.special_tokens);
    const clBytes = (rec) => rec.ids.map((id) => ranks.get(id));
    for (const rec of readJsonl(path.join(golden, 'cl100k_base.jsonl'))) {
        checkCuts('cl100k', CL100K, rec, clBytes(rec), specials);
        n++;
    }
    for (const rec of readJsonl(
        path.join(golden, 'cl100k_base.split_special.jsonl'))) {
        checkCuts('cl100k split_special', CL100K, rec, clBytes(rec), []);
        n++;
    }
    return n;
}

/* ---- cases ---- */

const rep = (s, n) => s.repeat(n);

const ADVERSARIAL = [
    ['empty', ''],
    ['one space', ' '],
    ['two spaces', '  '],
    ['space before word', ' a'],
    ['two spaces before word', '  a'],
    ['32 spaces before word', 'many' + rep(' ', 32) + 'spaces'],
    ['spaces at end', 'end' + rep(' ', 10)],
    ['spaces both sides', '  both sides  '],
    ['only spaces long', rep(' ', 1000)],
    ['1000 spaces then word', rep(' ', 1000) + 'x'],
    ['1000 spaces then digit', rep(' ', 1000) + '7'],
    ['1000 spaces then punct', rep(' ', 1000) + '!'],
    ['tabs before word', '\t\tx'],
    ['tab then word', 'a\tb'],
    ['space tab word', ' \tword'],
    ['tab space word', '\t word'],
    ['newlines before word', '\n\nx'],
    ['space newline space word', ' \n x'],
    ['newline spaces word', 'a\n   b'],
    ['spaces newline spaces word', 'a  \n  b'],
    ['crlf runs', 'foo\r\n\r\nbar'],
    ['crlf spaced', 'a \r\n b'],
    ['crlf at end', 'x\r\n\r\n'],
    ['lone cr', '\r'],
    ['lone lf', '\n'],
    ['cr then word', 'x\ry'],
    ['many newlines', rep('\n', 500)],
    ['mixed space newline run', 'a' + rep(' \n\t', 50) + 'b'],
    ['newline then space run', 'a\n' + rep(' ', 20) + 'b'],
    ['punct newline run', 'foo!!\n\n\nbar'],
    ['punct space newline', 'foo!! \n\nbar'],
    ['punct crlf end', 'x.\r\n\r\n'],
    ['punct newline space', 'end.\n \nnext'],
    ['space punct newline', 'a ...\n\nb'],
    ['code block', 'def f(x):\n    return x + 1\n\n\nprint(f(2))\n'],
    ['json', '{"a": [1, 2, 3], "b": null}\n'],
    ['contractions lower', "'s't're've'm'll'd"],
    ['contractions upper', "'S'T'RE'VE'M'LL'D"],
    ['contractions mixed case', "'Re'rE'Ve'lL'Ll"],
    ['contraction long s', "'\u017f and I'\u017f"],
    ['contractions in words', "don't I'LL we'Re they'VE it'S"],
    ['contraction after space', "'s 't"],
    ['quote quote s', "''s"],
    ['punct quote s', "x!'s"],
    ['quote at end', "x'"],
    ['quote l end', "we'l"],
    ['quote r end', "we'r"],
    ['quote digit', "'90s"],
    ['curly apostrophe', 'don\u2019t it\u2019s'],
    ['quote space', "' s"],
    ['digits long', '12345678901234567890'],
    ['digits 300', rep('9', 300)],
    ['digits spaced', '1234 56 7 89012'],
    ['digits then letters', 'abc123def456'],
    ['money', '$1,234.56 and \u20ac99'],
    ['arabic indic digits', '\u0661\u0662\u0663\u0664\u0665 \u0666'],
    ['devanagari digits', '\u096a\u096b\u096c\u096d'],
    ['fullwidth digits', '\uff11\uff12\uff13\uff14'],
    ['roman numerals Nl', '\u2160\u2161\u2162\u2163 \u216b'],
    ['other numbers No', '\u00bd\u00b2\u00b3 \u2081\u2082 \u2460\u2461'],
    ['combining acute Mn', 'cafe\u0301 e\u0301e\u0301'],
    ['mark after space', 'x \u0301y'],
    ['mark alone', '\u0301\u0301'],
    ['devanagari Mc Mn', '\u0928\u092e\u0938\u094d\u0924\u0947 ' +
        '\u0926\u0941\u0928\u093f\u092f\u093e'],
    ['greek', '\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac ' +
        '\u039f\u0394\u039f\u03a3'],
    ['cyrillic', '\u0420\u0443\u0441\u0441\u043a\u0438\u0439 ' +
        '\u0442\u0435\u043a\u0441\u0442'],
    ['cjk', '\u4e2d\u6587\u5b57\u7b26\u6d4b\u8bd5\u3002\u65e5\u672c'],
    ['kana', '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3067\u3059'],
    ['hangul', '\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8'],
    ['arabic', '\u0645\u0631\u062d\u0628\u0627 ' +
        '\u0628\u0627\u0644\u0639\u0627\u0644\u0645'],
    ['hebrew points', '\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd'],
    ['thai', '\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35'],
    ['mixed scripts glued', 'abc\u0430\u0431\u0432\u4e2d\u6587def'],
    ['lm lt letters', '\u02b0\u02b1 \u01c5\u01c8'],
    ['math alnum', '\u{1d407}\u{1d41e}\u{1d425}\u{1d425}\u{1d428} ' +
        '\u{1d7ce}'],
    ['fullwidth letters', '\uff48\uff45\uff4c\uff4c\uff4f'],
    ['emoji', 'emoji \ud83d\ude00\ud83d\ude00 ok'],
    ['emoji skin tone', '\ud83d\udc4d\ud83c\udffd x'],
    ['emoji flag', '\ud83c\uddfa\ud83c\uddf8!'],
    ['emoji zwj', '\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 family'],
    ['emoji vs16', '\u2665\ufe0f love'],
    ['emoji glued to word', 'text\ud83d\ude00text'],
    ['nbsp', '\u00a0'],
    ['nbsp between words', 'non\u00a0breaking'],
    ['nbsp nbsp', 'a\u00a0\u00a0b'],
    ['space nbsp word', 'a \u00a0b'],
    ['nbsp space word', 'a\u00a0 b'],
    ['ideographic space', 'x\u3000y\u3000\u3000z'],
    ['line separators', 'a\u2028b\u2029c'],
    ['nel', 'a\u0085b'],
    ['nel run', 'a\u0085\u0085\u0085b'],
    ['en quad and friends', 'a\u2000\u2001\u200a\u202f\u205fb'],
    ['ogham space', 'a\u1680b'],
    ['bom is not space', 'word \ufeffword'],
    ['zwsp is not space', ' \u200b'],
    ['mvs is not space', 'a\u180eb'],
    ['zwj zwnj', 'a\u200db\u200cc'],
    ['nul', 'a\u0000b \u0000'],
    ['control chars', 'bell\u0007and\u0008backspace'],
    ['del and c1', 'x\u007fy\u009fz'],
    ['info separators are not space', 'a\u001cb\u001fc'],
    ['vt ff', 'a\u000b\u000cb'],
    ['soft hyphen', 'soft\u00adhyphen'],
    ['replacement char', 'x\ufffdy'],
    ['private use', 'x\ue000y'],
    ['unassigned', 'x\u0378y\uffffz'],
    ['noncharacter astral', 'x\udbff\udfffy'],
    ['specials as text', 'a<|endoftext|>b <|fim_prefix|>'],
    ['punct run', '...!!!???---'],
    ['space punct run', 'a !!! b'],
    ['spaces then punct', 'a   !!!'],
    ['url', 'https://example.com/path?q=1&r=2#frag'],
    ['email', 'someone@example.org'],
    ['underscore ident', 'snake_case_name __init__'],
    ['tabs code', '\tif (x) {\n\t\treturn;\n\t}\n'],
    ['windows text', 'line one\r\nline two\r\n'],
    ['trailing space newline', 'x \n'],
    ['space at end after word', 'x '],
    ['word space space end', 'x  '],
    ['long letters', rep('a', 5000)],
    ['long punct', rep('!', 3000)],
    ['long cjk', rep('\u4e2d', 2000)],
    ['long emoji', rep('\ud83d\ude00', 1000)],
    ['alternating space letter', rep(' a', 500)],
    ['alternating space digit', rep(' 1', 500)],
    ['alternating newline punct', rep('.\n', 500)],
];

/* Characters the random cases are built from. All were assigned long
 * before Unicode 15, so node's newer tables and utf8proc agree on them. */
const POOL = [
    ' ', ' ', ' ', ' ', '\t', '\n', '\n', '\r', '\v', '\f',
    'a', 'b', 'Z', 's', 'S', 't', 'T', 'r', 'R', 'e', 'E', 'v', 'V', 'm',
    'M', 'l', 'L', 'd', 'D', "'", "'", "'", '0', '7', '9', '!', '.', ',',
    '-', '_', '"', '(', '$',
    '\u0085', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029',
    '\u202f', '\u205f', '\u3000', '\ufeff', '\u200b', '\u180e', '\u200d',
    '\u017f', '\u00e9', '\u00df', '\u0301', '\u0903', '\u0915', '\u0966',
    '\u2160', '\u00b2', '\u00bd', '\u4e2d', '\u3042', '\ud55c', '\u0430',
    '\u03a3', '\u0660', '\uff10', '\uff21', '\u02b0', '\u01c5', '\u3007',
    '\ue000', '\ufffd', '\u0378', '\u00ad', '\u0000', '\u007f', '\u001f',
    '\u2019', '\u212a', '\u0130', '\u20ac', '\u2665', '\ufe0f',
    '\ud83d\ude00', '\ud83c\uddfa', '\ud835\udc07', '\ud835\udfce',
    '\udbff\udfff',
];

function randomCases(count) {
    let x = 0x2545f491;
    const rnd = (n) => {
        x ^= x << 13; x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5; x >>>= 0;
        return x % n;
    };
    const out = [];
    for (let i = 0; i < count; i++) {
        const want = rnd(40);
        let t = '';
        let chars = 0;
        while (chars < want) {
            const c = POOL[rnd(POOL.length)];
            const times = rnd(4) === 0 ? 1 + rnd(6) : 1;
            t += c.repeat(times);
            chars += times;
        }
        out.push([`random ${i}`, t]);
    }
    return out;
}

function hex(text) {
    return Buffer.from(text, 'utf8').toString('hex');
}

function writeFixture(file, patName, re, cases) {
    const lines = [
        `# tok_scan_next(${patName}) fixtures, generated by ` +
        'tests/gen/gen_scan_fixtures.js; do not edit.',
        '# name<TAB>text as UTF-8 hex<TAB>piece byte lengths, comma-separated',
    ];
    for (const [name, text] of cases) {
        if (/[\t\n]/.test(name))
            throw new Error(`bad case name ${name}`);
        const lens = pieceLengths(re, text).join(',');
        lines.push(`${name}\t${hex(text)}\t${lens}`);
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return cases.length;
}

function main() {
    checkFolding();
    const checked = checkGolden();
    const texts = readJsonl(path.join(golden, 'texts.jsonl'))
        .map((r) => [`golden ${r.id} ${r.category}`, r.text]);
    const adv = ADVERSARIAL.map(([n, t]) => [`adv ${n}`, t]);
    const cases = texts.concat(adv, randomCases(2000));
    fs.mkdirSync(outDir, { recursive: true });
    const a = writeFixture(path.join(outDir, 'gpt2.txt'), 'TOK_SCAN_GPT2',
        GPT2, cases);
    const b = writeFixture(path.join(outDir, 'cl100k.txt'), 'TOK_SCAN_CL100K',
        CL100K, cases);
    process.stdout.write(`checked ${checked} golden records; wrote ` +
        `${a} gpt2 and ${b} cl100k cases (${texts.length} golden, ` +
        `${adv.length} adversarial, ` +
        `${cases.length - texts.length - adv.length} random)\n`);
}

main();
