/* mkunicode: builds the character class tables of the unicode stage
 * (src/lib/unicode_tables.c) from tests/data/unicode/hf_props.txt, what
 * Hugging Face tokenizers answers for each code point, and lists in
 * tests/data/unicode/hf_vs_utf8proc.txt where that answer differs from the
 * one utf8proc would give, which is what the tables change.
 *
 *   cc -O2 -o /tmp/mkunicode tests/gen/mkunicode.c -lutf8proc
 *   /tmp/mkunicode tests/data/unicode/hf_props.txt \
 *       src/lib/unicode_tables.c tests/data/unicode/hf_vs_utf8proc.txt
 *
 * Run it after tests/gen/gen_unicode_fixture.js; the output depends only
 * on the fixture (the diff listing also on the utf8proc it is built with).
 *
 * The tables are a two-stage lookup: the code point's block (128 code
 * points) gives one of the distinct blocks, and within it each code point
 * has a class, an index into the list of distinct property sets.  The
 * lowercase mapping is a list of runs where the mapping adds the same
 * delta to every code point, or to every other one. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define NCP 0x110000
#define SHIFT 7                 /* must equal TOK_UNI_BLOCK_SHIFT */
#define BLOCK (1 << SHIFT)
#define NBLOCKS (NCP >> SHIFT)

/* The properties in the order of their bits in unicode.h; "cjk" is in the
 * fixture but checked against fixed ranges, not stored. */
static const char *const names[] = {
    "space", "letter", "number", "numeric", "word", "bert_punct",
    "other", "mark_nonspacing", "combining_mark", "lower", "cjk",
};
enum { NPROPS = 11, LOWER_BIT = 9, CJK = 10, NBITS = 10 };

static unsigned props[NCP];
static unsigned char cjk[NCP];
static int32_t lower[NCP];      /* single-character lowercase */
static uint32_t lower_multi[NCP][3];

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mkunicode: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static int prop_index(const char *name)
{
    for (int i = 0; i < NPROPS; i++)
        if (!strcmp(name, names[i]))
            return i;
    return -1;
}

static void load(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256];
    int lineno = 0;

    if (!f)
        die("cannot open %s", path);
    for (uint32_t c = 0; c < NCP; c++)
        lower[c] = (int32_t)c;
    while (fgets(line, sizeof line, f)) {
        char kind[32], range[32], value[64] = "";
        lineno++;
        if (line[0] == '#')
            continue;
        if (sscanf(line, "%31s %31s %63s", kind, range, value) < 2)
            die("%s:%d: bad line", path, lineno);
        char *dots = strstr(range, "..");
        uint32_t lo = (uint32_t)strtoul(range, NULL, 16);
        uint32_t hi = dots ? (uint32_t)strtoul(dots + 2, NULL, 16) : lo;
        int p = prop_index(kind);
        if (p < 0 || hi < lo || hi >= NCP)
            die("%s:%d: bad line", path, lineno);
        for (uint32_t c = lo; c <= hi; c++) {
            if (p == CJK) {
                cjk[c] = 1;
                continue;
            }
            props[c] |= 1u << p;
            if (p != LOWER_BIT)
                continue;
            if (strchr(value, ',')) {
                char *s = value;
                for (int k = 0; k < 3 && *s; k++) {
                    lower_multi[c][k] = (uint32_t)strtoul(s, &s, 16);
                    if (*s == ',')
                        s++;
                }
                lower[c] = -1;
            } else if (value[0] == '+' || value[0] == '-') {
                long d = strtol(value + 1, NULL, 16);
                lower[c] = (int32_t)c + (int32_t)(value[0] == '-' ? -d : d);
            } else {
                die("%s:%d: bad lowercase", path, lineno);
            }
        }
    }
    fclose(f);
}

/* ---- the tables ---- */

static unsigned classes[256];
static int nclasses;
static unsigned char class_of[NCP];
static uint32_t block_first[NBLOCKS];   /* first code point of each unique */
static int nunique;
static unsigned char block_index[NBLOCKS];

static void build(void)
{
    for (uint32_t c = 0; c < NCP; c++) {
        int k;
        for (k = 0; k < nclasses; k++)
            if (classes[k] == props[c])
                break;
        if (k == nclasses) {
            if (nclasses == 256)
                die("more than 256 property sets");
            classes[nclasses++] = props[c];
        }
        class_of[c] = (unsigned char)k;
    }
    for (uint32_t b = 0; b < NBLOCKS; b++) {
        int u;
        for (u = 0; u < nunique; u++)
            if (!memcmp(class_of + block_first[u], class_of + (b << SHIFT),
                        BLOCK))
                break;
        if (u == nunique) {
            if (nunique == 256)
                die("more than 256 distinct blocks: raise SHIFT");
            block_first[nunique++] = b << SHIFT;
        }
        block_index[b] = (unsigned char)u;
    }
}

typedef struct {
    uint32_t first, last, stride;
    int32_t delta;
} run;

static run runs[NCP / 2];
static int nruns;

/* Greedy runs: from each unmapped-so-far code point, the longer of the
 * stride-1 and stride-2 runs with its delta.  A stride-2 run skips only
 * code points without a mapping, so runs never interleave and can be
 * searched by their first code point. */
static void build_lower(void)
{
    for (uint32_t c = 0; c < NCP; c++) {
        if (!(props[c] & (1u << LOWER_BIT)) || lower[c] < 0)
            continue;
        int32_t d = lower[c] - (int32_t)c;
        uint32_t e1 = c, e2 = c;
        while (e1 + 1 < NCP && (props[e1 + 1] & (1u << LOWER_BIT)) &&
               lower[e1 + 1] == (int32_t)(e1 + 1) + d)
            e1++;
        while (e2 + 2 < NCP && !(props[e2 + 1] & (1u << LOWER_BIT)) &&
               (props[e2 + 2] & (1u << LOWER_BIT)) &&
               lower[e2 + 2] == (int32_t)(e2 + 2) + d)
            e2 += 2;
        run r = { c, e1, 1, d };
        if ((e2 - c) / 2 > e1 - c) {
            r.last = e2;
            r.stride = 2;
        }
        runs[nruns++] = r;
        c = r.last;
    }
}

static void write_tables(const char *path)
{
    FILE *f = fopen(path, "w");
    int col;

    if (!f)
        die("cannot write %s", path);
    fprintf(f,
        "/* unicode_tables.c -- unicode stage: the character classes of "
        "Hugging Face\n"
        " * tokenizers 0.23.2 for every code point.  Generated by "
        "tests/gen/mkunicode.c\n"
        " * from tests/data/unicode/hf_props.txt; do not edit. */\n"
        "#include \"unicode.h\"\n\n"
        "_Static_assert(TOK_UNI_BLOCK_SHIFT == %d, "
        "\"regenerate the tables\");\n\n", SHIFT);

    fprintf(f, "/* The property bits of each class. */\n"
               "const uint16_t tok_uni_class_props[%d] = {\n", nclasses);
    for (int k = 0; k < nclasses; k++)
        fprintf(f, "%s0x%03X,%s", k % 8 == 0 ? "    " : " ", classes[k],
                k % 8 == 7 || k == nclasses - 1 ? "\n" : "");
    fprintf(f, "};\n\n");

    fprintf(f, "/* Distinct block of each %d code points. */\n"
               "const uint8_t tok_uni_block_index[%d] = {\n", BLOCK, NBLOCKS);
    for (int b = 0; b < NBLOCKS; b += 16) {
        fprintf(f, "    /* %06X */", (unsigned)b << SHIFT);
        for (int k = b; k < b + 16; k++)
            fprintf(f, "%3d,", block_index[k]);
        fputc('\n', f);
    }
    fprintf(f, "};\n\n");

    fprintf(f, "/* Class of each code point of each distinct block. */\n"
               "const uint8_t tok_uni_block_class[%d] = {\n",
            nunique * BLOCK);
    for (int u = 0; u < nunique; u++) {
        fprintf(f, "    /* block %d: U+%04X... */\n", u,
                (unsigned)block_first[u]);
        for (int i = 0; i < BLOCK; i += 16) {
            fprintf(f, "    /* %02X */", (unsigned)i);
            for (int k = i; k < i + 16; k++)
                fprintf(f, "%s%2d,", k == i ? " " : "",
                        class_of[block_first[u] + (uint32_t)k]);
            fputc('\n', f);
        }
    }
    fprintf(f, "};\n\n");

    fprintf(f, "/* Lowercase: first, last, stride, delta. */\n"
               "const tok_uni_lower_run tok_uni_lower_runs[%d] = {\n",
            nruns);
    col = 0;
    for (int i = 0; i < nruns; i++) {
        char buf[64];
        int n = snprintf(buf, sizeof buf, " {0x%05X, 0x%05X, %u, %d},",
                         runs[i].first, runs[i].last, runs[i].stride,
                         runs[i].delta);
        if (col + n > 76) {
            fputc('\n', f);
            col = 0;
        }
        if (col == 0) {
            fputs("   ", f);
            col = 3;
        }
        fputs(buf, f);
        col += n;
    }
    fprintf(f, "\n};\nconst size_t tok_uni_lower_runs_len = %d;\n\n", nruns);

    fprintf(f, "/* Lowercase mappings to several characters. */\n"
               "const tok_uni_lower_multi tok_uni_lower_multis[] = {\n");
    int nmulti = 0;
    for (uint32_t c = 0; c < NCP; c++) {
        if (lower[c] >= 0)
            continue;
        fprintf(f, "    {0x%05X, {0x%05X, 0x%05X, 0x%05X}},\n", c,
                lower_multi[c][0], lower_multi[c][1], lower_multi[c][2]);
        nmulti++;
    }
    fprintf(f, "};\nconst size_t tok_uni_lower_multis_len = %d;\n", nmulti);
    fclose(f);
    fprintf(stderr, "%d classes, %d distinct blocks (%d bytes), "
                    "%d lowercase runs, %d multi\n", nclasses, nunique,
            NBLOCKS + nunique * BLOCK, nruns, nmulti);
}

/* ---- what utf8proc 2.8 alone would say (the code before the tables) ---- */

static int category(uint32_t c)
{
    return utf8proc_category((utf8proc_int32_t)c);
}

static int in_cats(uint32_t c, int lo, int hi)
{
    int k = category(c);
    return k >= lo && k <= hi;
}

static int old_space(uint32_t c)
{
    return c == ' ' || (c >= 9 && c <= 13) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

static int old_word(uint32_t c)
{
    if (c == 0x200C || c == 0x200D)
        return 1;
    if ((c >= 0x24B6 && c <= 0x24E9) || (c >= 0x1F130 && c <= 0x1F149) ||
        (c >= 0x1F150 && c <= 0x1F169) || (c >= 0x1F170 && c <= 0x1F189))
        return 1;
    switch (category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_PC:
        return 1;
    default:
        return 0;
    }
}

static int old_prop(int p, uint32_t c)
{
    switch (p) {
    case 0: return old_space(c);
    case 1: return in_cats(c, UTF8PROC_CATEGORY_LU, UTF8PROC_CATEGORY_LO);
    case 2: case 3:
        return in_cats(c, UTF8PROC_CATEGORY_ND, UTF8PROC_CATEGORY_NO);
    case 4: return old_word(c);
    case 5:
        if (c < 0x80)
            return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) ||
                   (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
        return in_cats(c, UTF8PROC_CATEGORY_PC, UTF8PROC_CATEGORY_PO);
    case 6:
        return category(c) == UTF8PROC_CATEGORY_CN ||
               category(c) >= UTF8PROC_CATEGORY_CC;
    case 7: return category(c) == UTF8PROC_CATEGORY_MN;
    case 8: return in_cats(c, UTF8PROC_CATEGORY_MN, UTF8PROC_CATEGORY_ME);
    default:
        return 0;
    }
}

static int32_t old_lower(uint32_t c)
{
    if (c == 0x130)
        return -1;
    return utf8proc_tolower((utf8proc_int32_t)c);
}

/* Lists the code points where HF's answer differs from utf8proc's, as
 * "PROPERTY FIRST[..LAST] HF-VALUE", and counts them. */
static void write_diffs(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write %s", path);
    fprintf(f,
        "# Where Hugging Face tokenizers 0.23.2 (tests/data/unicode/"
        "hf_props.txt)\n"
        "# differs from utf8proc %s (Unicode %s): PROPERTY FIRST[..LAST] "
        "HF.\n"
        "# HF is 0 or 1 for a class, the lowercase code point(s) for "
        "lower.\n"
        "# Generated by tests/gen/mkunicode.c; do not edit.\n",
        utf8proc_version(), utf8proc_unicode_version());
    for (int p = 0; p < NPROPS; p++) {
        long count = 0;
        for (uint32_t c = 0; c < NCP; c++) {
            if (c >= 0xD800 && c <= 0xDFFF)
                continue;
            if (p == LOWER_BIT) {
                int32_t hf = lower[c];
                if (hf == old_lower(c))
                    continue;
                if (hf < 0)
                    fprintf(f, "lower %04X %04X,%04X\n", c,
                            lower_multi[c][0], lower_multi[c][1]);
                else
                    fprintf(f, "lower %04X %04X\n", c, (unsigned)hf);
                count++;
                continue;
            }
            int hf = p == CJK ? cjk[c] : (props[c] >> p) & 1;
            int old = p == CJK ? hf : old_prop(p, c);
            if (hf == old)
                continue;
            uint32_t e = c;
            while (e + 1 < NCP && !(e + 1 >= 0xD800 && e + 1 <= 0xDFFF)) {
                int h2 = p == CJK ? cjk[e + 1] : (props[e + 1] >> p) & 1;
                int o2 = p == CJK ? h2 : old_prop(p, e + 1);
                if (h2 != hf || o2 == h2)
                    break;
                e++;
            }
            if (e > c)
                fprintf(f, "%s %04X..%04X %d\n", names[p], c, e, hf);
            else
                fprintf(f, "%s %04X %d\n", names[p], c, hf);
            count += (long)(e - c + 1);
            c = e;
        }
        fprintf(stderr, "%s: %ld code points differ from utf8proc\n",
                names[p], count);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 4)
        die("usage: mkunicode PROPS.txt TABLES.c DIFFS.txt");
    load(argv[1]);
    build();
    build_lower();
    write_tables(argv[2]);
    write_diffs(argv[3]);
    return 0;
}
