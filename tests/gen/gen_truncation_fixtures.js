// Records what Hugging Face tokenizers 0.23.2 gives with truncation and
// padding set in tokenizer.json: single texts and pairs, with and without
// special tokens, every post-processor type, both sides, strides, and the
// overflowing windows.  test_truncate.c replays every case.
//
//   cd /tmp/hft && npm install tokenizers@0.23.2
//   NODE_PATH=/tmp/hft/node_modules node tests/gen/gen_truncation_fixtures.js \
//       > tests/data/truncation/cases.jsonl
//
// Output: first one {"tokenizer", "post_processor"} line per tokenizer
// (the post_processor put into vocab/<base>/tokenizer.json, or "keep"),
// then one line per case: {"tokenizer", "truncation", "padding",
// "add_special", "text", "pair"?, "result"} where result is either
// {"ids", "type_ids", "tokens", "offsets", "attention_mask",
// "special_tokens_mask", "sequence_ids", "overflowing": [...]} (offsets in
// code points, as the binding gives them) or {"error": "..."}.
//
// Hugging Face 0.23 stops tokenizing a text once it has max_length tokens
// (huggingface/tokenizers#2091), so its overflowing windows end there,
// where tok's (as 0.22's) cover the whole text.  Cases where a text has
// more than max_length tokens are marked "early_exit": true; for them
// test_truncate.c compares the kept encoding, and for single texts every
// window but Hugging Face's last, which is where they part.
//
// Cases where Hugging Face panics (a stride not below a text's kept
// length) or wraps around (max_length below the number of special tokens)
// are not run through it: they are written as {"error": "stride"} and
// {"error": "max_length"}, the errors tok gives instead.
"use strict";
const fs = require("fs");
const path = require("path");
const tk = require("tokenizers");

const vocab = path.join(__dirname, "..", "..", "vocab");
const texts = fs.readFileSync(path.join(__dirname, "..", "data", "golden",
    "texts.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
const byId = (id) => texts.find((t) => t.id === id).text;

const tokenizers = {
    bert: { base: "bert-base-uncased", post_processor: "keep" },
    "bert-processing": { base: "bert-base-uncased", post_processor: {
        type: "BertProcessing", sep: ["[SEP]", 102], cls: ["[CLS]", 101] } },
    // Type ids that differ from the text's index, B laid out before A.
    "bert-odd-template": { base: "bert-base-uncased", post_processor: {
        type: "TemplateProcessing",
        single: [{ SpecialToken: { id: "[CLS]", type_id: 1 } },
            { Sequence: { id: "A", type_id: 2 } },
            { SpecialToken: { id: "[SEP]", type_id: 1 } }],
        pair: [{ SpecialToken: { id: "[CLS]", type_id: 0 } },
            { Sequence: { id: "B", type_id: 3 } },
            { SpecialToken: { id: "[SEP]", type_id: 1 } },
            { Sequence: { id: "A", type_id: 2 } },
            { SpecialToken: { id: "[SEP]", type_id: 1 } }],
        special_tokens: {
            "[CLS]": { id: "[CLS]", ids: [101], tokens: ["[CLS]"] },
            "[SEP]": { id: "[SEP]", ids: [102], tokens: ["[SEP]"] } } } },
    "bert-none": { base: "bert-base-uncased", post_processor: null },
    gpt2: { base: "gpt2", post_processor: "keep" },
    // Trims offsets with add_prefix_space: the first token of a window
    // keeps one leading space.
    roberta: { base: "gpt2", post_processor: {
        type: "RobertaProcessing", sep: ["<|endoftext|>", 50256],
        cls: ["<|endoftext|>", 50256], trim_offsets: true,
        add_prefix_space: true } },
};

const truncations = [
    null,
    { direction: "Right", max_length: 8, strategy: "LongestFirst",
        stride: 0 },
    { direction: "Left", max_length: 7, strategy: "LongestFirst", stride: 2 },
    { direction: "Right", max_length: 10, strategy: "OnlyFirst", stride: 3 },
    { direction: "Left", max_length: 9, strategy: "OnlySecond", stride: 1 },
    { direction: "Right", max_length: 3, strategy: "LongestFirst",
        stride: 0 },
    { direction: "Right", max_length: 16, strategy: "LongestFirst",
        stride: 4 },
    // Long enough that each text of most pairs fits but not both: the
    // windows of both texts, without Hugging Face's early stop.
    { direction: "Right", max_length: 30, strategy: "LongestFirst",
        stride: 5 },
    { direction: "Left", max_length: 24, strategy: "LongestFirst",
        stride: 3 },
    { direction: "Right", max_length: 20, strategy: "OnlySecond",
        stride: 2 },
];

const paddings = (pad) => [
    null,
    { strategy: { Fixed: 12 }, direction: "Right", pad_to_multiple_of: null,
        pad_id: pad[1], pad_type_id: 0, pad_token: pad[0] },
    { strategy: "BatchLongest", direction: "Left", pad_to_multiple_of: 8,
        pad_id: pad[1], pad_type_id: 1, pad_token: pad[0] },
];

const singles = [0, 1, 2, 62, 70, 111, 157, 224, 247].map(byId);
const pairs = [[1, 0], [2, 3], [70, 5], [157, 136], [12, 70]]
    .map(([a, b]) => [byId(a), byId(b)]);

function tokenizerJson(name, trunc, pad) {
    const t = tokenizers[name];
    const j = JSON.parse(fs.readFileSync(path.join(vocab, t.base,
        "tokenizer.json"), "utf8"));
    if (t.post_processor !== "keep")
        j.post_processor = t.post_processor;
    j.truncation = trunc;
    j.padding = pad;
    return j;
}

function show(e) {
    return {
        ids: e.getIds(), type_ids: e.getTypeIds(), tokens: e.getTokens(),
        offsets: e.getOffsets(), attention_mask: e.getAttentionMask(),
        special_tokens_mask: e.getSpecialTokensMask(),
        sequence_ids: e.getSequenceIds().map((s) => s === undefined ||
            s === null ? -1 : s),
    };
}

// What Hugging Face's truncate_encodings keeps of each text, to find the
// cases where it would panic or wrap instead of failing.
function kept(t, max, n, pair) {
    const total = n[0] + n[1];
    if (max === 0)
        return [0, 0];
    if (total <= max)
        return n;
    const remove = total - max;
    if (t.strategy === "LongestFirst") {
        if (!pair)
            return [max, 0];
        let swap = n[0] > n[1];
        let a = swap ? n[1] : n[0];
        let b = a > max ? a : Math.max(a, max - a);
        if (a + b > max) {
            a = Math.floor(max / 2);
            b = a + max % 2;
        }
        return swap ? [b, a] : [a, b];
    }
    const s = t.strategy === "OnlySecond" ? 1 : 0;
    const out = n.slice();
    if ((s === 0 || pair) && n[s] > remove)
        out[s] = n[s] - remove;
    return out;
}

async function main() {
    for (const [name, t] of Object.entries(tokenizers))
        console.log(JSON.stringify({ tokenizer: name, base: t.base,
            post_processor: t.post_processor }));
    for (const name of Object.keys(tokenizers)) {
        const pad = tokenizers[name].base === "gpt2"
            ? ["<|endoftext|>", 50256] : ["[PAD]", 0];
        const plain = tk.Tokenizer.fromString(JSON.stringify(
            tokenizerJson(name, null, null)));
        for (let ti = 0; ti < truncations.length; ti++) {
            const trunc = truncations[ti];
            // Each truncation with every padding would be too many cases:
            // padding rotates.
            const padding = paddings(pad)[ti % 3];
            const t = tk.Tokenizer.fromString(JSON.stringify(
                tokenizerJson(name, trunc, padding)));
            const inputs = singles.map((s) => [s]).concat(pairs);
            for (const input of inputs) {
                for (const add of [true, false]) {
                    const c = { tokenizer: name, truncation: trunc,
                        padding, add_special: add, text: input[0] };
                    if (input.length > 1)
                        c.pair = input[1];
                    const opts = { addSpecialTokens: add };
                    let guard = null;
                    if (trunc) {
                        const n = [0, 0];
                        for (let s = 0; s < input.length; s++)
                            n[s] = (await plain.encode(input[s], null,
                                { addSpecialTokens: false })).getLength();
                        const full = await plain.encode(input[0],
                            input.length > 1 ? input[1] : null, opts);
                        const added = full.getLength() - n[0] - n[1];
                        if (n[0] > trunc.max_length ||
                            n[1] > trunc.max_length)
                            c.early_exit = true;
                        if (trunc.max_length < added) {
                            guard = "max_length";
                        } else {
                            const k = kept(trunc, trunc.max_length - added,
                                n, input.length > 1);
                            for (let s = 0; s < 2; s++)
                                if (k[s] < n[s] && k[s] > 0 &&
                                    trunc.stride >= k[s])
                                    guard = "stride";
                        }
                    }
                    if (guard) {
                        c.result = { error: guard };
                    } else {
                        try {
                            const e = await t.encode(input[0],
                                input.length > 1 ? input[1] : null, opts);
                            c.result = show(e);
                            c.result.overflowing =
                                e.getOverflowing().map(show);
                        } catch (err) {
                            c.result = { error: String(err) };
                        }
                    }
                    console.log(JSON.stringify(c));
                }
            }
        }
    }
}

main();
