#!/usr/bin/env node
/* Generates tests/data/pretokenize/, the expected output of
 * tok_pretokenize, by running the pre-tokenizers of Hugging Face tokenizers
 * 0.23.2 (its Node binding) on the golden texts and on corner cases.
 *
 * Usage:
 *     (cd /some/scratch && npm install tokenizers@0.23.2)
 *     NODE_PATH=/some/scratch/node_modules \
 *         node tests/gen/gen_pretokenize_fixtures.js
 *
 * Files:
 *   texts.txt      "id<TAB>text as UTF-8 hex", the golden texts (ids as in
 *                  texts.jsonl) and corner cases (ids from 1000).
 *   <name>.txt     one pre-tokenizer configuration:
 *                    config <item> <item> ...   (several items: Sequence)
 *                    added <hex> <hex> ...      (optional) added tokens
 *                    <id><TAB><piece><TAB><piece>...
 *                  A piece is "start:end" in code points of the text, and
 *                  for pre-tokenizers that rewrite the text also ":hex:al",
 *                  its bytes and the original span of each of its
 *                  characters: "=" same span as the character before, "+"
 *                  the code point after it, "(s,e)" any other span.  An
 *                  added token's piece is "start:end:T".
 *   Items: bert, whitespace, whitespace_split, punctuation:<behavior>,
 *   digits:<individual>, bytelevel:<add_prefix_space>:<use_regex>,
 *   metaspace:<replacement hex>:<always|first|never>:<split>,
 *   split:<pattern hex>:<behavior>:<invert>.
 *
 * Piece strings and offsets come from PreTokenizer.preTokenizeString.  The
 * span of every character comes from a full Tokenizer whose BPE model has
 * one token per character and no merges, so each token is one character
 * and its offsets are that character's alignment; its word ids give the
 * pieces when added tokens are present.  Deterministic output.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const tk = require('tokenizers');

const repo = path.resolve(__dirname, '..', '..');
const outDir = path.join(repo, 'tests', 'data', 'pretokenize');
const textsFile = path.join(repo, 'tests', 'data', 'golden', 'texts.jsonl');

const hex = (s) => Buffer.from(s, 'utf8').toString('hex');

/* Corner cases the golden texts miss. */
const EXTRA = [
    '', ' ', '   ', 'a', ' a', 'a ', '  a  b  ', '\t\n x \r\n',
    '▁', '▁a', ' ▁a', 'a▁▁b', 'a ▁ b', '▁▁', 'a▁', '_a _b__', 'ĠxĠ',
    "'s 't 're", "  'll", 'x\u00a0y', '\u3000\u3000z', 'a\u200bb',
    '12345', 'a1b22c333', '٣4½', '1.5e10', '𝟙𝟚x', '¹²³',
    '!!!', 'a..b.', '.a..b.', '...', '(a)', '«a»', '¿Qué?', '$5€',
    'the the', 'aaaa', 'aaaaab', 'abab', 'ee', 'e e', ' e', 'eee ',
    'é', 'e\u0301', '😀😀', ' 😀', '日本語 テキスト', '한국어',
    'ﬁ', 'ab\u0000cd', '\u0085x', 'x\u2028y\u2029z', 'w\u200dx',
    '<|endoftext|>', 'a<|endoftext|>b', '<|endoftext|><|endoftext|>',
    ' <|endoftext|> ', 'x[SEP]y', '[SEP] [CLS]', '▁[SEP]▁', '[SEP]▁x',
    'hello world', 'Hello, world! 123 ',
    /* P* today but not in the Unicode 8.0 tables HF's punctuation uses,
     * and the reverse (U+166D, U+111C9). */
    'a\u2e4fb\u061dc\u{1e95e}d \u166de\u{111c9}f\u2e42g',
];

const BEHAVIORS = {
    removed: 'removed',
    isolated: 'isolated',
    merged_with_previous: 'mergedWithPrevious',
    merged_with_next: 'mergedWithNext',
    contiguous: 'contiguous',
};

/* Builds the JS pre-tokenizer of one item; says whether it rewrites. */
function item(spec) {
    const f = spec.split(':');
    const bool = (x) => x === '1';
    const str = (h) => Buffer.from(h, 'hex').toString('utf8');
    switch (f[0]) {
    case 'bert': return [tk.bertPreTokenizer(), false];
    case 'whitespace': return [tk.whitespacePreTokenizer(), false];
    case 'whitespace_split': return [tk.whitespaceSplitPreTokenizer(), false];
    case 'punctuation':
        return [tk.punctuationPreTokenizer(BEHAVIORS[f[1]]), false];
    case 'digits': return [tk.digitsPreTokenizer(bool(f[1])), false];
    case 'bytelevel':
        return [tk.byteLevelPreTokenizer(bool(f[1]), bool(f[2])), true];
    case 'metaspace':
        return [tk.metaspacePreTokenizer(str(f[1]), f[2], bool(f[3])), true];
    case 'split':
        return [tk.splitPreTokenizer(str(f[1]), BEHAVIORS[f[2]], bool(f[3])),
            false];
    default: throw new Error(`unknown item ${spec}`);
    }
}

function build(specs) {
    const items = specs.map(item);
    const pt = items.length === 1 ? items[0][0]
        : tk.sequencePreTokenizer(items.map((x) => x[0]));
    return [pt, items.some((x) => x[1])];
}

const ms = hex('▁');
const CONFIGS = [
    ['bert', ['bert']],
    ['whitespace', ['whitespace']],
    ['whitespace_split', ['whitespace_split']],
    ...Object.keys(BEHAVIORS).map((b) => [`punctuation_${b}`,
        [`punctuation:${b}`]]),
    ['digits', ['digits:0']],
    ['digits_individual', ['digits:1']],
    ['bytelevel', ['bytelevel:0:1']],
    ['bytelevel_prefix', ['bytelevel:1:1']],
    ['bytelevel_noregex', ['bytelevel:0:0']],
    ['bytelevel_prefix_noregex', ['bytelevel:1:0']],
    ...['always', 'first', 'never'].flatMap((s) => [
        [`metaspace_${s}`, [`metaspace:${ms}:${s}:1`]],
        [`metaspace_${s}_nosplit`, [`metaspace:${ms}:${s}:0`]],
    ]),
    ['metaspace_underscore', [`metaspace:${hex('_')}:always:1`]],
    ...Object.keys(BEHAVIORS).flatMap((b) => [
        [`split_space_${b}`, [`split:${hex(' ')}:${b}:0`]],
        [`split_space_${b}_invert`, [`split:${hex(' ')}:${b}:1`]],
    ]),
    ['split_the_merged_with_next', [`split:${hex('the')}:merged_with_next:0`]],
    ['split_aa_contiguous_invert', [`split:${hex('aa')}:contiguous:1`]],
    ['split_ab_merged_with_previous',
        [`split:${hex('ab')}:merged_with_previous:0`]],
    ['split_empty_isolated', ['split::isolated:0']],
    ['split_empty_removed_invert', ['split::removed:1']],
    ['split_empty_merged_with_next', ['split::merged_with_next:0']],
    ['seq_whitespace_split_bytelevel',
        ['whitespace_split', 'bytelevel:1:1']],
    ['seq_whitespace_split_metaspace_first',
        ['whitespace_split', `metaspace:${ms}:first:1`]],
    ['seq_punctuation_digits', ['punctuation:isolated', 'digits:1']],
    ['seq_digits_bytelevel', ['digits:1', 'bytelevel:0:1']],
    ['seq_metaspace_bytelevel',
        [`metaspace:${ms}:always:1`, 'bytelevel:0:0']],
    ['seq_split_punctuation_whitespace',
        [`split:${hex('.')}:merged_with_previous:0`, 'punctuation:contiguous',
            'whitespace']],
];

/* Configurations also run with added tokens in the text. */
const ADDED = ['<|endoftext|>', '[SEP]', '[CLS]', '[MASK]'];
const WITH_ADDED = ['bert', 'bytelevel_prefix', 'metaspace_first',
    'metaspace_always', 'seq_whitespace_split_metaspace_first',
    'punctuation_merged_with_next', 'split_space_contiguous'];

function alignCode(chars, spans, start) {
    let out = '';
    let prev = null;
    for (let k = 0; k < chars.length; k++) {
        const [s, e] = spans[k];
        if (prev && s === prev[0] && e === prev[1])
            out += '=';
        else if (s === (prev ? prev[1] : start) && e === s + 1)
            out += '+';
        else
            out += `(${s},${e})`;
        prev = [s, e];
    }
    return out;
}

/* Encodes text with a one-token-per-character model; returns the pieces
 * as [string, start, end, spans, isAdded]. */
async function charEncode(pt, text, added, chars) {
    const vocab = {};
    let n = 0;
    for (const c of chars)
        vocab[c] = n++;
    for (const a of added)
        vocab[a] = n++;
    const tok = new tk.Tokenizer(tk.BPE.init(vocab, []));
    tok.setPreTokenizer(pt);
    if (added.length)
        tok.addSpecialTokens(added);
    const enc = await tok.encode(text);
    const toks = enc.getTokens(), offs = enc.getOffsets();
    const words = enc.getWordIds();
    const pieces = [];
    let last = null;
    for (let i = 0; i < toks.length; i++) {
        if (words[i] !== last) {
            pieces.push({ str: '', spans: [], added: false });
            last = words[i];
        }
        const p = pieces[pieces.length - 1];
        p.str += toks[i];
        if (added.includes(toks[i])) {
            p.added = true;
            p.spans.push(offs[i]);
        } else {
            for (const c of toks[i])
                p.spans.push(offs[i]);
        }
    }
    return pieces;
}

function charsOf(pt, texts) {
    const set = new Set();
    for (const t of texts)
        for (const [p] of pt.preTokenizeString(t))
            for (const c of p)
                set.add(c);
    return [...set].sort();
}

async function main() {
    const texts = fs.readFileSync(textsFile, 'utf8').split('\n')
        .filter((l) => l).map((l) => JSON.parse(l));
    const all = texts.map((r) => [r.id, r.text]);
    EXTRA.forEach((t, i) => all.push([1000 + i, t]));
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'texts.txt'),
        '# texts for the pre-tokenizer fixtures, generated by ' +
        'tests/gen/gen_pretokenize_fixtures.js; do not edit.\n' +
        all.map(([id, t]) => `${id}\t${hex(t)}\n`).join(''));

    for (const [name, specs] of CONFIGS) {
        for (const withAdded of [false, true]) {
            if (withAdded && !WITH_ADDED.includes(name))
                continue;
            const [pt, rewrites] = build(specs);
            const added = withAdded ? ADDED : [];
            const chars = charsOf(pt, all.map((x) => x[1]));
            let out = `# ${name}: tok_pretokenize fixtures, generated by ` +
                'tests/gen/gen_pretokenize_fixtures.js; do not edit.\n' +
                `config ${specs.join(' ')}\n`;
            if (withAdded)
                out += `added ${added.map(hex).join(' ')}\n`;
            for (const [id, text] of all) {
                const pieces = await charEncode(pt, text, added, chars);
                if (!withAdded) {
                    /* The pieces of the two ways must agree. */
                    const ref = pt.preTokenizeString(text);
                    const got = pieces.map((p) => p.str);
                    if (JSON.stringify(ref.map((r) => r[0])) !==
                        JSON.stringify(got))
                        throw new Error(`${name} ${id}: pieces differ`);
                    ref.forEach(([s, [a, b]], k) => {
                        const sp = pieces[k].spans;
                        if (sp[0][0] !== a || sp[sp.length - 1][1] !== b)
                            throw new Error(`${name} ${id}: offsets differ`);
                        if (!rewrites && [...text].slice(a, b).join('') !== s)
                            throw new Error(`${name} ${id}: not a slice`);
                    });
                }
                const fields = pieces.map((p) => {
                    const a = p.spans[0][0], b = p.spans[p.spans.length - 1][1];
                    if (p.added)
                        return `${a}:${b}:T`;
                    if (!rewrites) {
                        if ([...text].slice(a, b).join('') !== p.str)
                            throw new Error(`${name} ${id}: not a slice`);
                        return `${a}:${b}`;
                    }
                    return `${a}:${b}:${hex(p.str)}:` +
                        alignCode([...p.str], p.spans, a);
                });
                out += [id, ...fields].join('\t') + '\n';
            }
            const file = name + (withAdded ? '+added' : '') + '.txt';
            fs.writeFileSync(path.join(outDir, file), out);
        }
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
