// Runs texts through Hugging Face tokenizers 0.23.2 normalizers and records
// the normalized text and, for each normalized character, the byte span of
// the original text it is aligned to.  test_normalize.c replays them.
//
//   cd /tmp/hfn && npm install tokenizers@0.23.2
//   NODE_PATH=/tmp/hfn/node_modules node tests/gen/hf_cases.js \
//       tests/data/golden/texts.jsonl > tests/data/normalize/cases.jsonl
//
// Output: first one {"config", "normalizer"} line per normalizer (HF's
// JSON), then {"config", "text", "normalized", "align"} lines, where align
// is a flat list start0, end0, start1, end1, ... in bytes.
//
// The spans come from encoding with a tokenizer whose pre-tokenizer splits
// the normalized text into single characters and whose model maps each to
// [UNK]: the offsets of token i are then the span of normalized character
// i (the binding reports them in code points; they are turned into bytes).
"use strict";
const fs = require("fs");
const tk = require("tokenizers");

const bert = (clean, cjk, strip, lower) => ({ type: "BertNormalizer",
    clean_text: clean, handle_chinese_chars: cjk, strip_accents: strip,
    lowercase: lower });
const configs = {
    "bert-uncased": bert(true, true, null, true),
    "bert-cased": bert(true, true, null, false),
    "bert-strip-cased": bert(true, true, true, false),
    "bert-lower-nostrip": bert(true, false, false, true),
    "bert-raw": bert(false, false, false, false),
    "bert-only-strip": bert(false, false, true, false),
    "nfc": { type: "NFC" },
    "nfd": { type: "NFD" },
    "nfkc": { type: "NFKC" },
    "nfkd": { type: "NFKD" },
    "lowercase": { type: "Lowercase" },
    "strip-accents": { type: "StripAccents" },
    "strip": { type: "Strip", strip_left: true, strip_right: true },
    "lstrip": { type: "Strip", strip_left: true, strip_right: false },
    "rstrip": { type: "Strip", strip_left: false, strip_right: true },
    "replace-space": { type: "Replace", pattern: { String: " " },
        content: "\u2581" },
    "replace-shrink": { type: "Replace", pattern: { String: "aa" },
        content: "b" },
    "replace-delete": { type: "Replace", pattern: { String: "\u00e9" },
        content: "" },
    "replace-grow": { type: "Replace", pattern: { String: "ab" },
        content: "XYZ" },
    "prepend": { type: "Prepend", prepend: "\u2581" },
    "prepend-two": { type: "Prepend", prepend: "<s>" },
    "prepend-empty": { type: "Prepend", prepend: "" },
    "seq-nfd-strip-lower": { type: "Sequence", normalizers: [
        { type: "NFD" }, { type: "StripAccents" }, { type: "Lowercase" }] },
    "seq-llama": { type: "Sequence", normalizers: [
        { type: "Prepend", prepend: "\u2581" },
        { type: "Replace", pattern: { String: " " }, content: "\u2581" }] },
    "seq-nested": { type: "Sequence", normalizers: [
        { type: "Sequence", normalizers: [{ type: "NFKC" }] },
        { type: "Sequence", normalizers: [] },
        { type: "Strip", strip_left: true, strip_right: true },
        { type: "Sequence", normalizers: [
            { type: "Lowercase" }, { type: "NFD" }] }] },
    "seq-empty": { type: "Sequence", normalizers: [] },
};

function tokenizer(norm) {
    return tk.Tokenizer.fromString(JSON.stringify({
        version: "1.0", truncation: null, padding: null, added_tokens: [],
        normalizer: norm,
        pre_tokenizer: { type: "Split", pattern: { Regex: "[\\s\\S]" },
            behavior: "Isolated", invert: false },
        post_processor: null, decoder: null,
        model: { type: "WordLevel", vocab: { "[UNK]": 0 },
            unk_token: "[UNK]" },
    }));
}

// Deterministic texts that mix the characters where normalizers differ.
const pool = [
    "a", "e", "o", "A", "E", "I", "Z", "z", "1", " ", " ", "  ", "\t", "\n",
    "\r\n", ".", ",", "!", "\u0000", "\u0007", "\u007f", "\u0085",
    "\u00e9", "\u00c9", "\u00f1", "\u00df", "\u00a0", "\u00ad", "\u00b5",
    "\u00bd", "\u00aa", "\u0130", "\u0131", "\u03a3", "\u03c2", "\u0390",
    "\u1fb3", "\u1fbc", "\u212b", "\u2126", "\u212a", "\u1e9e",
    "\u0300", "\u0301", "\u0302", "\u0308", "\u0316", "\u0323", "\u0327",
    "\u0334", "\u0345", "\u0344", "\u0340", "\u05b0", "\u05d0", "\u093c",
    "\u094d", "\u0915", "\u093f", "\u0958", "\u0f71", "\u0f72", "\u0f73",
    "\u0f80", "\u0f77", "\u1dce", "\u302a", "\u0e48", "\u3099", "\u309a",
    "\u304b", "\u304c", "\u30ac", "\uff76", "\uff9e",
    "\u1100", "\u1112", "\u1161", "\u1175", "\u11a8", "\u11c2", "\uac00",
    "\uac01", "\ud7a3", "\uc548",
    "\ufb01", "\ufb03", "\u2460", "\u338f", "\uff48", "\uff28", "\ufdfa",
    "\u01c5", "\u216b", "\u{1d407}", "\u2122", "\u210c", "\u2075",
    "\u4e00", "\uf900", "\u{20000}", "\u3400", "\u2adc", "\u{1d15e}",
    "\u0b47", "\u0b3e", "\u0b4b", "\u2665", "\ufe0f", "\u{1f600}", "\u200d",
    "\u2003", "\u3000", "\u2028", "\u200b", "\ufeff", "\u0600", "\u08e2",
    "\u{13430}", "\u1abf", "\u0898", "\u{11935}", "\u{11930}", "\u{11938}",
    "\ue000", "\u0378", "\ufffd", "\ua7cb", "\u{10d50}", "\u2e4f", "\u0374",
    "\u1e0a", "\u1e0c", "\u0112", "\u01d5", "\u1ec7", "\u0065\u0323",
];
const marks = ["\u0300", "\u0301", "\u0316", "\u0323", "\u0327", "\u0334",
    "\u0345", "\u0344", "\u05b0", "\u093c", "\u094d", "\u0f71", "\u0f72",
    "\u0f73", "\u1dce", "\u302a", "\u3099", "\u1abf", "\u0898"];
let seed = 12345;
let longText = null;
function rand(n) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
}
// The golden texts go through the normalizers real tokenizers use; the
// texts made here through every normalizer.
const goldenConfigs = new Set(["bert-uncased", "bert-cased", "nfc", "nfkd",
    "lowercase", "seq-llama", "seq-nfd-strip-lower"]);
const golden = [];
for (const line of fs.readFileSync(process.argv[2], "utf8").split("\n"))
    if (line)
        golden.push(JSON.parse(line).text);
const texts = [];
texts.push("", " ", "   ", "\u3000a\u2003", "a\u0301\u0316b",
    "\u0301\u0316", "e\u0323\u0302", "a\u0316\u0301", "\u1100\u1161\u11a8",
    "\uac00\u11a8", "\u1100\u1100\u1161", "\u0b47\u0b3e", "\u2adc",
    "\u{11935}\u{11930}", "\u0f73\u0f72\u0f71", "\u0344\u0323",
    "aaa", "aaaa", "abab", "\u00e9\u00e9", "ab" + "\u0301".repeat(3),
    "\u00c5\u0301\u0327", "A" + "\u0301\u0316\u0334\u0345".repeat(10),
    "\u0130stanbul", "\u0049\u0307", "x\u0007\u0301y", "\u0007\u0301",
    "\u4e2d\u0301", "\u00e9\u4e2d", "\uff76\uff9e", "\u30ab\u3099",
    "C\u05a0\u000b\u1baa\u{1e00c}", "a\u0301\u0007\u0316\u200b\u0334");
for (let i = 0; i < 150; i++) {
    let s = "";
    const n = 1 + rand(12);
    for (let k = 0; k < n; k++)
        s += rand(3) === 0 ? marks[rand(marks.length)]
                           : pool[rand(pool.length)];
    texts.push(s);
}
// A long run of marks in scrambled classes (longer than the short sort).
{
    let s = "o";
    for (let k = 0; k < 40; k++)
        s += marks[rand(marks.length)];
    texts.push(s + "o");
}

// A long text without ASCII, for BertNormalizer's batches of marks.
const longConfigs = new Set(["bert-uncased", "bert-only-strip"]);
{
    const cjk = ["\u4e2d", "\u304c", "\uac01", "\u0301", "\u0316",
        "\u0323", "\u3000", "\u00e9", "\uf900", "\u0f73", "\u0344",
        "\u1baa", "\u05a0"];
    let s = "";
    for (let k = 0; k < 1500; k++)
        s += cjk[rand(cjk.length)];
    golden.push(s);   /* goes with the golden texts' configurations */
    longText = s;
}

const out = [];
for (const [name, norm] of Object.entries(configs))
    out.push(JSON.stringify({ config: name, normalizer: norm }));
(async () => {
    for (const [name, norm] of Object.entries(configs)) {
        const t = tokenizer(norm);
        let all = goldenConfigs.has(name) ? golden.concat(texts) : texts;
        if (!longConfigs.has(name))
            all = all.filter((t) => t !== longText);
        else if (!goldenConfigs.has(name))
            all = all.concat([longText]);
        for (const text of all) {
            const normalized = t.getNormalizer() ?
                t.getNormalizer().normalizeString(text) : text;
            const enc = await t.encode(text);
            const offs = enc.getOffsets();
            const nchars = Array.from(normalized).length;
            if (offs.length !== nchars)
                throw new Error(`${name}: ${offs.length} offsets for ` +
                    `${nchars} characters in ${JSON.stringify(text)}`);
            // Code point offsets of the original to byte offsets.
            const cps = Array.from(text);
            const bytes = [0];
            for (const ch of cps)
                bytes.push(bytes[bytes.length - 1] +
                    Buffer.byteLength(ch, "utf8"));
            const align = [];
            for (const [s, e] of offs)
                align.push(bytes[s], bytes[e]);
            out.push(JSON.stringify({ config: name, text, normalized,
                align }));
        }
    }
    process.stdout.write(out.join("\n") + "\n");
})();
