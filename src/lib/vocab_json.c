/* files: the tokenizer.json reader (and GPT-2's vocab.json), the only
 * place in libtok that uses cJSON.  It accepts what tokenizers 0.23.2
 * accepts for the components tok implements, applies the same defaults,
 * and names the place in the file of anything it rejects. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "utf8.h"

/* Sequences inside sequences: Hugging Face sets no limit, but nothing
 * real goes past two or three, and the stages run them recursively. */
#define MAX_SEQ_DEPTH 32

/* cJSON writes its last error position to a global on every parse, so
 * two threads loading at once would race on it; loads are rare enough to
 * take turns. */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

static cJSON *parse_locked(const char *json, size_t len, const char **end)
{
    pthread_mutex_lock(&parse_lock);
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, end, 0);
    pthread_mutex_unlock(&parse_lock);
    return root;
}

const char *tok_cjson_version(void)
{
    return cJSON_Version();
}

/* ------------------------------------------------------------------------
 * Parsing and error places
 * ------------------------------------------------------------------------ */

static void line_col(const char *s, size_t off, size_t *line, size_t *col)
{
    size_t l = 1, start = 0;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n') {
            l++;
            start = i + 1;
        }
    *line = l;
    *col = off - start + 1;
}

static int syntax_error(const char *json, size_t len, size_t off,
                        const char *name, const char *what, tok_error *err)
{
    size_t line, col;
    if (off > len)
        off = len;
    line_col(json, off, &line, &col);
    char near[32];
    unsigned char c = off < len ? (unsigned char)json[off] : 0;
    if (off >= len)
        snprintf(near, sizeof near, "at the end of the input");
    else if (c >= 0x20 && c < 0x7f)
        snprintf(near, sizeof near, "near '%c'", c);
    else
        snprintf(near, sizeof near, "near byte 0x%02x", c);
    return tok_error_at(err, TOK_EFORMAT, line, off,
                        "%s%sline %zu, column %zu: %s %s", name ? name : "",
                        name ? ": " : "", line, col, what, near);
}

/* cJSON keeps strings NUL-terminated, so a "\u0000" escape would cut a
 * token short without a word; refuse it instead. */
static size_t find_nul_escape(const char *s, size_t len)
{
    size_t i = 0;
    while (i + 1 < len) {
        const char *b = memchr(s + i, '\\', len - 1 - i);
        if (!b)
            break;
        i = (size_t)(b - s);
        if (s[i + 1] == 'u' && i + 5 < len &&
            memcmp(s + i + 2, "0000", 4) == 0)
            return i;
        i += 2; /* past the backslash and the character it escapes */
    }
    return len;
}

/* JSON allows no control character inside a string and none but the
 * four white spaces between values; cJSON takes them all (and cuts a
 * string at a raw NUL), Hugging Face rejects the file.  Returns the offset
 * of the first one, or len; *in_string tells which kind it is. */
static size_t find_control(const char *s, size_t len, bool *in_string)
{
    bool in = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && (in || (c != ' ' && c != '\t' && c != '\n' &&
                                c != '\r'))) {
            *in_string = in;
            return i;
        }
        if (in && c == '\\')
            i++;
        else if (c == '"')
            in = !in;
    }
    return len;
}

/* cJSON reports the last byte both when that byte is wrong and when the
 * input ran out.  Parsing again with one more (blank) byte tells them
 * apart: running out then moves the error past the original end. */
static size_t reparse_end(const char *json, size_t len)
{
    char *copy = tok_malloc(len + 1);
    if (!copy)
        return SIZE_MAX;
    memcpy(copy, json, len);
    copy[len] = ' ';
    const char *end = NULL;
    cJSON *again = parse_locked(copy, len + 1, &end);
    size_t off = end ? (size_t)(end - copy) : len;
    cJSON_Delete(again);
    tok_free(copy);
    return off >= len ? len : off;
}

/* How many arrays and objects are open at byte `off`, to tell cJSON's
 * nesting limit from other errors. */
static size_t depth_at(const char *json, size_t off)
{
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < off; i++) {
        char c = json[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return depth;
}

static int parse_json_checked(const char *json, size_t len,
                              const char *name, bool utf8_checked,
                              cJSON **out, tok_error *err)
{
    *out = NULL;
    size_t bad = utf8_checked ? len : tok_utf8_validate(json, len);
    if (bad < len)
        return syntax_error(json, len, bad, name, "invalid UTF-8", err);
    size_t ws = 0;
    while (ws < len && (json[ws] == ' ' || json[ws] == '\n' ||
                        json[ws] == '\r' || json[ws] == '\t'))
        ws++;
    if (ws == len)
        return tok_error_at(err, TOK_EFORMAT, 0, 0, "%s%sthe document is "
                            "empty", name ? name : "", name ? ": " : "");
    const char *end = NULL;
    cJSON *root = parse_locked(json, len, &end);
    if (!root) {
        size_t off = end ? (size_t)(end - json) : 0;
        if (off + 1 >= len && (off = reparse_end(json, len)) == SIZE_MAX)
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        if (depth_at(json, off) >= CJSON_NESTING_LIMIT) {
            char what[64];
            snprintf(what, sizeof what, "JSON nested deeper than %d levels",
                     CJSON_NESTING_LIMIT);
            return syntax_error(json, len, off, name, what, err);
        }
        return syntax_error(json, len, off, name, "invalid JSON", err);
    }
    size_t off = (size_t)(end - json);
    while (off < len && (json[off] == ' ' || json[off] == '\n' ||
                         json[off] == '\r' || json[off] == '\t'))
        off++;
    if (off < len) {
        cJSON_Delete(root);
        return syntax_error(json, len, off, name,
                            "trailing characters after the JSON value",
                            err);
    }
    bool in_string;
    size_t ctl = find_control(json, len, &in_string);
    if (ctl < len) {
        cJSON_Delete(root);
        return syntax_error(json, len, ctl, name, in_string
                            ? "control character in a string"
                            : "invalid character", err);
    }
    size_t nul = find_nul_escape(json, len);
    if (nul < len) {
        cJSON_Delete(root);
        size_t line, col;
        line_col(json, nul, &line, &col);
        return tok_error_at(err, TOK_EUNSUPPORTED, line, nul,
                            "%s%sline %zu, column %zu: strings holding "
                            "U+0000 are not supported", name ? name : "",
                            name ? ": " : "", line, col);
    }
    *out = root;
    return TOK_OK;
}

static int parse_json(const char *json, size_t len, const char *name,
                      cJSON **out, tok_error *err)
{
    return parse_json_checked(json, len, name, false, out, err);
}

/* The reader's state: the error and the path of the value being read
 * ("pre_tokenizer.pretokenizers[1]"), which every message starts with. */
typedef struct reader {
    tok_error *err;
    char path[400];
    size_t plen;
    int depth;
    /* The model's vocab and merges, read straight from the document
     * ("The big members" below); NULL: read them from the cJSON tree. */
    const struct fast_members *fast;
} reader;

static size_t push(reader *r, const char *fmt, ...) TOK_PRINTF(2, 3);
static size_t push(reader *r, const char *fmt, ...)
{
    size_t old = r->plen;
    if (r->plen < sizeof r->path - 1) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(r->path + r->plen, sizeof r->path - r->plen, fmt,
                          ap);
        va_end(ap);
        if (n > 0)
            r->plen += (size_t)n;
        if (r->plen > sizeof r->path - 1)
            r->plen = sizeof r->path - 1;
    }
    return old;
}

static size_t push_key(reader *r, const char *key)
{
    return push(r, r->plen ? ".%s" : "%s", key);
}

static void pop(reader *r, size_t old)
{
    r->plen = old;
    r->path[old] = '\0';
}

static int fail(reader *r, int code, const char *fmt, ...) TOK_PRINTF(3, 4);
static int fail(reader *r, int code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (code == TOK_ENOMEM)
        return tok_error_set(r->err, code, "out of memory");
    if (r->plen)
        return tok_error_set(r->err, code, "%s: %s", r->path, msg);
    return tok_error_set(r->err, code, "%s", msg);
}

/* The same, with the member `key` appended to the path. */
static int fail_at(reader *r, const char *key, int code, const char *fmt,
                   ...) TOK_PRINTF(4, 5);
static int fail_at(reader *r, const char *key, int code, const char *fmt,
                   ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t old = push_key(r, key);
    int rc = fail(r, code, "%s", msg);
    pop(r, old);
    return rc;
}

static int nomem(reader *r)
{
    return fail(r, TOK_ENOMEM, "out of memory");
}

static const char *kind(const cJSON *j)
{
    if (cJSON_IsNull(j)) return "null";
    if (cJSON_IsBool(j)) return "a boolean";
    if (cJSON_IsNumber(j)) return "a number";
    if (cJSON_IsString(j)) return "a string";
    if (cJSON_IsArray(j)) return "an array";
    return "an object";
}

/* serde_json keeps the last of repeated keys, so this does too. */
static const cJSON *member(const cJSON *obj, const char *key)
{
    const cJSON *found = NULL;
    for (const cJSON *c = obj->child; c; c = c->next)
        if (c->string && strcmp(c->string, key) == 0)
            found = c;
    return found;
}

enum {
    OPTIONAL = 0,
    REQUIRED = 1,
    NULLABLE = 2   /* null reads as absent (serde's Option) */
};

/* Finds member `key`; *out is NULL when it is absent (or null and
 * NULLABLE).  A missing REQUIRED member is an error. */
static int field(reader *r, const cJSON *obj, const char *key, int flags,
                 const cJSON **out)
{
    const cJSON *it = member(obj, key);
    if (it && cJSON_IsNull(it) && (flags & NULLABLE))
        it = NULL;
    if (!it && (flags & REQUIRED) && !member(obj, key))
        return fail(r, TOK_EFORMAT, "missing field \"%s\"", key);
    *out = it;
    return TOK_OK;
}

static int get_bool(reader *r, const cJSON *obj, const char *key, int flags,
                    bool dflt, bool *out)
{
    const cJSON *it;
    int rc = field(r, obj, key, flags, &it);
    if (rc)
        return rc;
    if (!it) {
        *out = dflt;
        return TOK_OK;
    }
    if (!cJSON_IsBool(it))
        return fail_at(r, key, TOK_EFORMAT, "expected a boolean, found %s",
                       kind(it));
    *out = cJSON_IsTrue(it);
    return TOK_OK;
}

/* A copy of member `key` (NULL when absent or null and allowed). */
static int get_str(reader *r, const cJSON *obj, const char *key, int flags,
                   char **out)
{
    const cJSON *it;
    *out = NULL;
    int rc = field(r, obj, key, flags, &it);
    if (rc || !it)
        return rc;
    if (!cJSON_IsString(it))
        return fail_at(r, key, TOK_EFORMAT, "expected a string, found %s",
                       kind(it));
    if (!(*out = tok_strdup(it->valuestring)))
        return nomem(r);
    return TOK_OK;
}

static bool as_uint(const cJSON *it, uint64_t max, uint64_t *out)
{
    if (!cJSON_IsNumber(it))
        return false;
    double d = it->valuedouble;
    if (!(d >= 0) || d > (double)max || d != (double)(uint64_t)d)
        return false;
    *out = (uint64_t)d;
    return true;
}

static int get_uint(reader *r, const cJSON *obj, const char *key, int flags,
                    uint64_t max, uint64_t dflt, uint64_t *out)
{
    const cJSON *it;
    int rc = field(r, obj, key, flags, &it);
    if (rc)
        return rc;
    if (!it) {
        *out = dflt;
        return TOK_OK;
    }
    if (!as_uint(it, max, out))
        return fail_at(r, key, TOK_EFORMAT,
                       "expected an integer from 0 to %llu, found %s",
                       (unsigned long long)max, kind(it));
    return TOK_OK;
}

/* A Rust char: a string of exactly one character. */
static int get_char(reader *r, const cJSON *obj, const char *key,
                    char out[8])
{
    const cJSON *it;
    int rc = field(r, obj, key, REQUIRED, &it);
    if (rc)
        return rc;
    if (!cJSON_IsString(it))
        return fail_at(r, key, TOK_EFORMAT, "expected a string, found %s",
                       kind(it));
    const unsigned char *s = (const unsigned char *)it->valuestring;
    size_t len = strlen(it->valuestring);
    uint32_t cp;
    if (len == 0 || tok_utf8_decode(s, len, 0, &cp) != len)
        return fail_at(r, key, TOK_EFORMAT,
                       "expected a single character, found \"%s\"",
                       it->valuestring);
    memcpy(out, s, len);
    out[len] = '\0';
    return TOK_OK;
}

/* Enumerations spelled as strings. */
static int get_enum(reader *r, const cJSON *obj, const char *key, int flags,
                    const char *const *names, int dflt, int *out)
{
    const cJSON *it;
    int rc = field(r, obj, key, flags, &it);
    if (rc)
        return rc;
    if (!it) {
        *out = dflt;
        return TOK_OK;
    }
    if (cJSON_IsString(it))
        for (int i = 0; names[i]; i++)
            if (strcmp(names[i], it->valuestring) == 0) {
                *out = i;
                return TOK_OK;
            }
    char list[200] = "";
    size_t n = 0;
    for (int i = 0; names[i] && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s\"%s\"",
                              i ? ", " : "", names[i]);
    if (cJSON_IsString(it))
        return fail_at(r, key, TOK_EFORMAT,
                       "unknown value \"%s\", expected one of %s",
                       it->valuestring, list);
    return fail_at(r, key, TOK_EFORMAT, "expected one of %s, found %s",
                   list, kind(it));
}

/* The "type" tag of a component (the member must be an object). */
static int get_type(reader *r, const cJSON *j, const char **type)
{
    if (!cJSON_IsObject(j))
        return fail(r, TOK_EFORMAT, "expected an object, found %s", kind(j));
    const cJSON *t;
    int rc = field(r, j, "type", REQUIRED, &t);
    if (rc)
        return rc;
    if (!cJSON_IsString(t))
        return fail_at(r, "type", TOK_EFORMAT, "expected a string, found %s",
                       kind(t));
    *type = t->valuestring;
    return TOK_OK;
}

static int get_array(reader *r, const cJSON *obj, const char *key,
                     const cJSON **out)
{
    int rc = field(r, obj, key, REQUIRED, out);
    if (rc)
        return rc;
    if (!cJSON_IsArray(*out))
        return fail_at(r, key, TOK_EFORMAT, "expected an array, found %s",
                       kind(*out));
    return TOK_OK;
}

/* The regexes tok runs without a regex engine, each by a scanner of
 * pretok_scan.h, spelled exactly as the files that use them spell them:
 * tiktoken's pat_str for cl100k_base (as Hugging Face's conversions of
 * it keep it) and the GPT-2 regex of the ByteLevel pre-tokenizer. */
static const struct {
    const char *regex;
    tok_scan_pattern scan;
} known_regexes[] = {
    {"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|"
     "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
     "\\s+(?!\\S)|\\s+", TOK_SCAN_CL100K},
    {"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|"
     "\\s+(?!\\S)|\\s+", TOK_SCAN_GPT2},
};

bool tok_regex_scanner(const char *regex, tok_scan_pattern *scan)
{
    for (size_t i = 0; i < sizeof known_regexes / sizeof *known_regexes;
         i++)
        if (strcmp(regex, known_regexes[i].regex) == 0) {
            *scan = known_regexes[i].scan;
            return true;
        }
    return false;
}

/* {"String": "..."} patterns, and {"Regex": "..."} where `regex` is given
 * (Split) and the regex is one tok_regex_scanner knows. */
static int get_pattern(reader *r, const cJSON *obj, const char *what,
                       char **out, bool *regex, tok_scan_pattern *scan)
{
    const cJSON *p;
    int rc = field(r, obj, "pattern", REQUIRED, &p);
    if (rc)
        return rc;
    if (!cJSON_IsObject(p) || !p->child || p->child->next)
        return fail_at(r, "pattern", TOK_EFORMAT,
                       "expected {\"String\": ...} or {\"Regex\": ...}");
    const cJSON *v = p->child;
    bool is_regex = strcmp(v->string, "Regex") == 0;
    if (!is_regex && strcmp(v->string, "String") != 0)
        return fail_at(r, "pattern", TOK_EFORMAT,
                       "unknown pattern kind \"%s\", expected \"String\" or "
                       "\"Regex\"", v->string);
    if (!cJSON_IsString(v))
        return fail_at(r, "pattern", TOK_EFORMAT,
                       "%s: expected a string, found %s", v->string,
                       kind(v));
    if (is_regex && !regex)
        return fail_at(r, "pattern", TOK_EUNSUPPORTED,
                       "%s with a Regex pattern is not supported", what);
    if (is_regex && !tok_regex_scanner(v->valuestring, scan))
        return fail_at(r, "pattern", TOK_EUNSUPPORTED,
                       "%s with the Regex \"%.60s%s\" is not supported: tok "
                       "has no regex engine and runs only the GPT-2 and "
                       "cl100k_base split patterns, spelled exactly as "
                       "Hugging Face and tiktoken spell them", what,
                       v->valuestring,
                       strlen(v->valuestring) > 60 ? "..." : "");
    if (!is_regex && v->valuestring[0] == '\0')
        return fail_at(r, "pattern", TOK_EUNSUPPORTED,
                       "%s with an empty pattern is not supported", what);
    if (regex)
        *regex = is_regex;
    if (!(*out = tok_strdup(v->valuestring)))
        return nomem(r);
    return TOK_OK;
}

/* The four component families (normalizers, pre-tokenizers,
 * post-processors, decoders) are read the same way: "type" names an entry
 * of the family's table, the object is made for that type, and the
 * family's body reader fills in its fields; a Sequence lists more of the
 * same family.  One reader serves all four. */
typedef struct {
    const char *name;
    int type;
} type_name;

typedef struct {
    const char *what; /* "normalizer", for messages */
    const type_name *types;
    size_t ntypes;
    void *(*make)(int type);
    void (*dispose)(void *obj);
    int (*body)(reader *r, const cJSON *j, void *obj);
} component_kind;

static int read_component(reader *r, const component_kind *k,
                          const cJSON *j, void **out)
{
    const char *type;
    *out = NULL;
    int rc = get_type(r, j, &type);
    if (rc)
        return rc;
    for (size_t i = 0; i < k->ntypes; i++) {
        if (strcmp(k->types[i].name, type) != 0)
            continue;
        void *obj = k->make(k->types[i].type);
        if (!obj)
            return nomem(r);
        if ((rc = k->body(r, j, obj)) != TOK_OK) {
            k->dispose(obj);
            return rc;
        }
        *out = obj;
        return TOK_OK;
    }
    return fail(r, TOK_EUNSUPPORTED, "%s type \"%s\" is not supported",
                k->what, type);
}

/* The members of a Sequence: the array under `key`, each read with the
 * family's reader.  `items_field` is the Sequence's array of pointers to
 * the family's type (struct tok_normalizer **, ...): it is allocated and
 * filled here by copying pointer representations, which POSIX makes the
 * same for every object type, rather than writing through a void ** the
 * field is not.  *n counts the items read, so the caller's free releases
 * exactly those when one fails. */
static int read_sequence(reader *r, const cJSON *j, const char *key,
                         const component_kind *k, void *items_field,
                         size_t *n)
{
    const cJSON *arr;
    int rc = get_array(r, j, key, &arr);
    if (rc)
        return rc;
    if (r->depth >= MAX_SEQ_DEPTH)
        return fail(r, TOK_EUNSUPPORTED,
                    "Sequence nested more than %d levels deep",
                    MAX_SEQ_DEPTH);
    int count = cJSON_GetArraySize(arr);
    char *items = tok_calloc((size_t)count, sizeof(void *));
    if (!items)
        return nomem(r);
    memcpy(items_field, &items, sizeof items);
    r->depth++;
    size_t i = 0;
    for (const cJSON *c = arr->child; c; c = c->next, i++) {
        size_t old = push(r, ".%s[%zu]", key, i);
        void *obj;
        rc = read_component(r, k, c, &obj);
        pop(r, old);
        if (rc)
            return rc;
        memcpy(items + i * sizeof obj, &obj, sizeof obj);
        *n = i + 1;
    }
    r->depth--;
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * Normalizers
 * ------------------------------------------------------------------------ */

static const type_name norm_types[] = {
    {"BertNormalizer", TOK_NORM_BERT},
    {"NFC", TOK_NORM_NFC},
    {"NFD", TOK_NORM_NFD},
    {"NFKC", TOK_NORM_NFKC},
    {"NFKD", TOK_NORM_NFKD},
    {"Lowercase", TOK_NORM_LOWERCASE},
    {"StripAccents", TOK_NORM_STRIP_ACCENTS},
    {"Strip", TOK_NORM_STRIP},
    {"Replace", TOK_NORM_REPLACE},
    {"Prepend", TOK_NORM_PREPEND},
    {"Sequence", TOK_NORM_SEQUENCE},
};

static const component_kind normalizer_kind;

static int read_normalizer_body(reader *r, const cJSON *j, void *obj)
{
    tok_normalizer *n = obj;
    int rc = TOK_OK;
    switch (n->type) {
    case TOK_NORM_BERT: {
        const cJSON *sa;
        if ((rc = get_bool(r, j, "clean_text", REQUIRED, false,
                           &n->u.bert.clean_text)) ||
            (rc = get_bool(r, j, "handle_chinese_chars", REQUIRED, false,
                           &n->u.bert.handle_chinese_chars)) ||
            (rc = get_bool(r, j, "lowercase", REQUIRED, false,
                           &n->u.bert.lowercase)) ||
            (rc = field(r, j, "strip_accents", NULLABLE, &sa)))
            return rc;
        n->u.bert.strip_accents = -1;
        if (sa) {
            if (!cJSON_IsBool(sa))
                return fail_at(r, "strip_accents", TOK_EFORMAT,
                               "expected a boolean or null, found %s",
                               kind(sa));
            n->u.bert.strip_accents = cJSON_IsTrue(sa) ? 1 : 0;
        }
        return TOK_OK;
    }
    case TOK_NORM_STRIP:
        if ((rc = get_bool(r, j, "strip_left", REQUIRED, false,
                           &n->u.strip.left)))
            return rc;
        return get_bool(r, j, "strip_right", REQUIRED, false,
                        &n->u.strip.right);
    case TOK_NORM_REPLACE:
        if ((rc = get_pattern(r, j, "Replace", &n->u.replace.pattern,
                              NULL, NULL)))
            return rc;
        return get_str(r, j, "content", REQUIRED, &n->u.replace.content);
    case TOK_NORM_PREPEND:
        return get_str(r, j, "prepend", REQUIRED, &n->u.prepend.prepend);
    case TOK_NORM_SEQUENCE:
        return read_sequence(r, j, "normalizers", &normalizer_kind,
                             &n->u.seq.items, &n->u.seq.n);
    default:
        return TOK_OK;
    }
}

static void *make_normalizer(int type)
{
    return tok_normalizer_new((tok_normalizer_type)type);
}

static void dispose_normalizer(void *obj)
{
    tok_normalizer_free(obj);
}

static const component_kind normalizer_kind = {
    "normalizer", norm_types, sizeof norm_types / sizeof norm_types[0],
    make_normalizer, dispose_normalizer, read_normalizer_body,
};

/* ------------------------------------------------------------------------
 * Pre-tokenizers
 * ------------------------------------------------------------------------ */


static const type_name pretok_types[] = {
    {"BertPreTokenizer", TOK_PT_BERT},
    {"Whitespace", TOK_PT_WHITESPACE},
    {"WhitespaceSplit", TOK_PT_WHITESPACE_SPLIT},
    {"Punctuation", TOK_PT_PUNCTUATION},
    {"Digits", TOK_PT_DIGITS},
    {"ByteLevel", TOK_PT_BYTELEVEL},
    {"Metaspace", TOK_PT_METASPACE},
    {"Split", TOK_PT_SPLIT},
    {"Sequence", TOK_PT_SEQUENCE},
};

static int read_bytelevel(reader *r, const cJSON *j, bool *add_prefix_space,
                          bool *trim_offsets, bool *use_regex)
{
    int rc;
    if ((rc = get_bool(r, j, "add_prefix_space", REQUIRED, false,
                       add_prefix_space)) ||
        (rc = get_bool(r, j, "trim_offsets", REQUIRED, false,
                       trim_offsets)))
        return rc;
    return get_bool(r, j, "use_regex", OPTIONAL, true, use_regex);
}

/* Metaspace also reads the older add_prefix_space, as Hugging Face does:
 * false means prepend_scheme "never" and must not contradict it. */
static int read_metaspace(reader *r, const cJSON *j, char replacement[8],
                          tok_prepend_scheme *scheme, bool *split)
{
    static const char *const schemes[] = {"always", "never", "first", NULL};
    int s, rc;
    bool aps;
    const cJSON *has_aps;
    if ((rc = get_char(r, j, "replacement", replacement)) ||
        (rc = get_enum(r, j, "prepend_scheme", OPTIONAL, schemes, 0, &s)) ||
        (rc = get_bool(r, j, "split", NULLABLE, true, split)) ||
        (rc = field(r, j, "add_prefix_space", NULLABLE, &has_aps)) ||
        (rc = get_bool(r, j, "add_prefix_space", NULLABLE, true, &aps)))
        return rc;
    *scheme = s == 0 ? TOK_PREPEND_ALWAYS
            : s == 1 ? TOK_PREPEND_NEVER : TOK_PREPEND_FIRST;
    if (has_aps && !aps && *scheme != TOK_PREPEND_NEVER)
        return fail(r, TOK_EFORMAT,
                    "add_prefix_space does not match declared "
                    "prepend_scheme");
    return TOK_OK;
}

static const component_kind pretok_kind;

static int read_pretok_body(reader *r, const cJSON *j, void *obj)
{
    tok_pretok *p = obj;
    int rc, b;
    switch (p->type) {
    case TOK_PT_PUNCTUATION:
        if ((rc = get_enum(r, j, "behavior", OPTIONAL,
                           tok_split_behavior_names, TOK_SPLIT_ISOLATED,
                           &b)))
            return rc;
        p->u.punct.behavior = (tok_split_behavior)b;
        return TOK_OK;
    case TOK_PT_DIGITS:
        return get_bool(r, j, "individual_digits", REQUIRED, false,
                        &p->u.digits.individual_digits);
    case TOK_PT_BYTELEVEL:
        return read_bytelevel(r, j, &p->u.bytelevel.add_prefix_space,
                              &p->u.bytelevel.trim_offsets,
                              &p->u.bytelevel.use_regex);
    case TOK_PT_METASPACE:
        return read_metaspace(r, j, p->u.metaspace.replacement,
                              &p->u.metaspace.prepend_scheme,
                              &p->u.metaspace.split);
    case TOK_PT_SPLIT:
        if ((rc = get_pattern(r, j, "Split", &p->u.split.pattern,
                              &p->u.split.regex, &p->u.split.scan)) ||
            (rc = get_enum(r, j, "behavior", REQUIRED,
                           tok_split_behavior_names, 0, &b)) ||
            (rc = get_bool(r, j, "invert", REQUIRED, false,
                           &p->u.split.invert)))
            return rc;
        p->u.split.behavior = (tok_split_behavior)b;
        return TOK_OK;
    case TOK_PT_SEQUENCE:
        return read_sequence(r, j, "pretokenizers", &pretok_kind,
                             &p->u.seq.items, &p->u.seq.n);
    default:
        return TOK_OK;
    }
}

static void *make_pretokenizer(int type)
{
    return tok_pretok_new((tok_pretok_type)type);
}

static void dispose_pretokenizer(void *obj)
{
    tok_pretok_free(obj);
}

static const component_kind pretok_kind = {
    "pre-tokenizer", pretok_types,
    sizeof pretok_types / sizeof pretok_types[0],
    make_pretokenizer, dispose_pretokenizer, read_pretok_body,
};

/* ------------------------------------------------------------------------
 * Post-processors
 * ------------------------------------------------------------------------ */

/* ["[SEP]", 102] */
static int read_token_pair(reader *r, const cJSON *j, const char *key,
                           char **tok, int32_t *id)
{
    const cJSON *p;
    int rc = field(r, j, key, REQUIRED, &p);
    if (rc)
        return rc;
    uint64_t v;
    if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2 ||
        !cJSON_IsString(p->child) || !as_uint(p->child->next, INT32_MAX, &v))
        return fail_at(r, key, TOK_EFORMAT,
                       "expected [token, id], a string and an integer");
    if (!(*tok = tok_strdup(p->child->valuestring)))
        return nomem(r);
    *id = (int32_t)v;
    return TOK_OK;
}

static int read_piece(reader *r, const cJSON *j, tok_template_piece *p)
{
    if (!cJSON_IsObject(j) || !j->child || j->child->next ||
        !cJSON_IsObject(j->child))
        return fail(r, TOK_EFORMAT,
                    "expected {\"SpecialToken\": {...}} or "
                    "{\"Sequence\": {...}}");
    const cJSON *body = j->child;
    uint64_t type_id;
    int rc;
    size_t old = push_key(r, body->string);
    if ((rc = get_uint(r, body, "type_id", REQUIRED, UINT32_MAX, 0,
                       &type_id)))
        goto out;
    p->type_id = (uint32_t)type_id;
    const cJSON *id;
    if ((rc = field(r, body, "id", REQUIRED, &id)))
        goto out;
    if (strcmp(body->string, "Sequence") == 0) {
        p->is_sequence = true;
        if (cJSON_IsString(id) && strcmp(id->valuestring, "A") == 0)
            p->sequence = 0;
        else if (cJSON_IsString(id) && strcmp(id->valuestring, "B") == 0)
            p->sequence = 1;
        else
            rc = fail_at(r, "id", TOK_EFORMAT, "expected \"A\" or \"B\"");
    } else if (strcmp(body->string, "SpecialToken") == 0) {
        if (!cJSON_IsString(id))
            rc = fail_at(r, "id", TOK_EFORMAT, "expected a string, found %s",
                         kind(id));
        else if (!(p->special = tok_strdup(id->valuestring)))
            rc = nomem(r);
    } else {
        pop(r, old);
        return fail(r, TOK_EFORMAT,
                    "unknown template piece \"%s\", expected \"SpecialToken\" "
                    "or \"Sequence\"", body->string);
    }
out:
    pop(r, old);
    return rc;
}

static int cmp_special(const void *a, const void *b)
{
    return strcmp(((const tok_template_special *)a)->name,
                  ((const tok_template_special *)b)->name);
}

static int read_template(reader *r, const cJSON *j, const char *key,
                         const tok_postproc *p, tok_template_piece **out,
                         size_t *n)
{
    const cJSON *arr;
    int rc = get_array(r, j, key, &arr);
    if (rc)
        return rc;
    int count = cJSON_GetArraySize(arr);
    *out = tok_calloc((size_t)count, sizeof **out);
    if (!*out)
        return nomem(r);
    size_t i = 0;
    for (const cJSON *c = arr->child; c; c = c->next, i++) {
        size_t old = push(r, ".%s[%zu]", key, i);
        tok_template_piece *piece = &(*out)[i];
        rc = read_piece(r, c, piece);
        *n = i + 1;
        if (rc == TOK_OK && !piece->is_sequence) {
            tok_template_special probe = {piece->special, NULL, NULL, 0};
            if (p->nspecials == 0 ||
                !bsearch(&probe, p->specials, p->nspecials,
                         sizeof *p->specials, cmp_special))
                rc = fail(r, TOK_EFORMAT,
                          "special token \"%s\" is not in special_tokens",
                          piece->special);
        }
        pop(r, old);
        if (rc)
            return rc;
    }
    return TOK_OK;
}

static int read_special(reader *r, const cJSON *j, tok_template_special *s)
{
    const cJSON *id, *ids, *toks;
    int rc;
    if (!cJSON_IsObject(j))
        return fail(r, TOK_EFORMAT, "expected an object, found %s", kind(j));
    if ((rc = field(r, j, "id", REQUIRED, &id)) ||
        (rc = get_array(r, j, "ids", &ids)) ||
        (rc = get_array(r, j, "tokens", &toks)))
        return rc;
    if (!cJSON_IsString(id))
        return fail_at(r, "id", TOK_EFORMAT, "expected a string, found %s",
                       kind(id));
    /* tok keeps the name once: the map key and "id" must agree. */
    if (strcmp(id->valuestring, j->string) != 0)
        return fail_at(r, "id", TOK_EUNSUPPORTED,
                       "\"%s\" differs from its key", id->valuestring);
    int n = cJSON_GetArraySize(ids);
    if (n != cJSON_GetArraySize(toks))
        return fail(r, TOK_EFORMAT, "ids and tokens differ in length");
    s->ids = tok_calloc((size_t)n, sizeof *s->ids);
    s->tokens = tok_calloc((size_t)n, sizeof *s->tokens);
    if (!s->ids || !s->tokens)
        return nomem(r);
    const cJSON *a = ids->child, *b = toks->child;
    for (size_t i = 0; a && b; a = a->next, b = b->next, i++) {
        uint64_t v;
        if (!as_uint(a, INT32_MAX, &v)) {
            size_t old = push(r, ".ids[%zu]", i);
            rc = fail(r, TOK_EFORMAT, "expected an id, found %s", kind(a));
            pop(r, old);
            return rc;
        }
        if (!cJSON_IsString(b)) {
            size_t old = push(r, ".tokens[%zu]", i);
            rc = fail(r, TOK_EFORMAT, "expected a string, found %s",
                      kind(b));
            pop(r, old);
            return rc;
        }
        s->ids[i] = (int32_t)v;
        if (!(s->tokens[i] = tok_strdup(b->valuestring)))
            return nomem(r);
        s->n = i + 1;
    }
    return TOK_OK;
}

typedef struct special_ref {
    const cJSON *j;
    size_t order;
} special_ref;

static int cmp_ref(const void *a, const void *b)
{
    const special_ref *x = a, *y = b;
    int c = strcmp(x->j->string, y->j->string);
    if (c)
        return c;
    return (x->order > y->order) - (x->order < y->order);
}

/* special_tokens is a map: sorted by name when written, and the last of
 * repeated names wins, as with serde_json. */
static int read_specials(reader *r, const cJSON *j, tok_postproc *p)
{
    const cJSON *map;
    int rc = field(r, j, "special_tokens", REQUIRED, &map);
    if (rc)
        return rc;
    if (!cJSON_IsObject(map))
        return fail_at(r, "special_tokens", TOK_EFORMAT,
                       "expected an object, found %s", kind(map));
    size_t n = (size_t)cJSON_GetArraySize(map);
    if (n == 0)
        return TOK_OK;
    special_ref *refs = tok_malloc(n * sizeof *refs);
    p->specials = tok_calloc(n, sizeof *p->specials);
    if (!refs || !p->specials) {
        tok_free(refs);
        return nomem(r);
    }
    size_t i = 0;
    for (const cJSON *c = map->child; c; c = c->next, i++) {
        refs[i].j = c;
        refs[i].order = i;
    }
    qsort(refs, n, sizeof *refs, cmp_ref);
    for (i = 0; i < n && rc == TOK_OK; i++) {
        if (i + 1 < n && strcmp(refs[i].j->string, refs[i + 1].j->string) == 0)
            continue;
        tok_template_special *s = &p->specials[p->nspecials++];
        if (!(s->name = tok_strdup(refs[i].j->string))) {
            rc = nomem(r);
            break;
        }
        size_t old = push(r, ".special_tokens[\"%s\"]", s->name);
        rc = read_special(r, refs[i].j, s);
        pop(r, old);
    }
    tok_free(refs);
    return rc;
}

static const component_kind postproc_kind;

static int read_postproc_body(reader *r, const cJSON *j, void *obj)
{
    tok_postproc *p = obj;
    int rc;
    switch (p->type) {
    case TOK_POST_TEMPLATE:
        if ((rc = read_specials(r, j, p)) ||
            (rc = read_template(r, j, "single", p, &p->single,
                                &p->nsingle)))
            return rc;
        return read_template(r, j, "pair", p, &p->pair, &p->npair);
    case TOK_POST_BERT:
        if ((rc = read_token_pair(r, j, "sep", &p->sep_token, &p->sep_id)))
            return rc;
        return read_token_pair(r, j, "cls", &p->cls_token, &p->cls_id);
    case TOK_POST_ROBERTA:
        if ((rc = read_token_pair(r, j, "sep", &p->sep_token, &p->sep_id)) ||
            (rc = read_token_pair(r, j, "cls", &p->cls_token, &p->cls_id)) ||
            (rc = get_bool(r, j, "trim_offsets", REQUIRED, false,
                           &p->trim_offsets)))
            return rc;
        return get_bool(r, j, "add_prefix_space", REQUIRED, false,
                        &p->add_prefix_space);
    case TOK_POST_BYTELEVEL:
        return read_bytelevel(r, j, &p->add_prefix_space, &p->trim_offsets,
                              &p->use_regex);
    case TOK_POST_SEQUENCE:
        return read_sequence(r, j, "processors", &postproc_kind, &p->items,
                             &p->nitems);
    }
    return TOK_OK;
}

static const type_name postproc_types[] = {
    {"TemplateProcessing", TOK_POST_TEMPLATE},
    {"BertProcessing", TOK_POST_BERT},
    {"RobertaProcessing", TOK_POST_ROBERTA},
    {"ByteLevel", TOK_POST_BYTELEVEL},
    {"Sequence", TOK_POST_SEQUENCE},
};

static void *make_postprocessor(int type)
{
    return tok_postproc_new((tok_postproc_type)type);
}

static void dispose_postprocessor(void *obj)
{
    tok_postproc_free(obj);
}

static const component_kind postproc_kind = {
    "post-processor", postproc_types,
    sizeof postproc_types / sizeof postproc_types[0],
    make_postprocessor, dispose_postprocessor, read_postproc_body,
};

/* ------------------------------------------------------------------------
 * Decoders
 * ------------------------------------------------------------------------ */

static const type_name decoder_types[] = {
    {"WordPiece", TOK_DEC_WORDPIECE},
    {"ByteLevel", TOK_DEC_BYTELEVEL},
    {"Metaspace", TOK_DEC_METASPACE},
    {"BPEDecoder", TOK_DEC_BPE},
    {"ByteFallback", TOK_DEC_BYTE_FALLBACK},
    {"Fuse", TOK_DEC_FUSE},
    {"Strip", TOK_DEC_STRIP},
    {"Replace", TOK_DEC_REPLACE},
    {"Sequence", TOK_DEC_SEQUENCE},
};

static const component_kind decoder_kind;

static int read_decoder_body(reader *r, const cJSON *j, void *obj)
{
    tok_decoder *d = obj;
    int rc;
    switch (d->type) {
    case TOK_DEC_WORDPIECE:
        if ((rc = get_str(r, j, "prefix", REQUIRED, &d->u.wordpiece.prefix)))
            return rc;
        return get_bool(r, j, "cleanup", REQUIRED, false,
                        &d->u.wordpiece.cleanup);
    case TOK_DEC_BYTELEVEL:
        return read_bytelevel(r, j, &d->u.bytelevel.add_prefix_space,
                              &d->u.bytelevel.trim_offsets,
                              &d->u.bytelevel.use_regex);
    case TOK_DEC_METASPACE:
        return read_metaspace(r, j, d->u.metaspace.replacement,
                              &d->u.metaspace.prepend_scheme,
                              &d->u.metaspace.split);
    case TOK_DEC_BPE:
        return get_str(r, j, "suffix", REQUIRED, &d->u.bpe.suffix);
    case TOK_DEC_STRIP: {
        char c[8];
        uint64_t start, stop;
        if ((rc = get_char(r, j, "content", c)) ||
            (rc = get_uint(r, j, "start", REQUIRED, SIZE_MAX, 0, &start)) ||
            (rc = get_uint(r, j, "stop", REQUIRED, SIZE_MAX, 0, &stop)))
            return rc;
        if (!(d->u.strip.content = tok_strdup(c)))
            return nomem(r);
        d->u.strip.start = (size_t)start;
        d->u.strip.stop = (size_t)stop;
        return TOK_OK;
    }
    case TOK_DEC_REPLACE:
        if ((rc = get_pattern(r, j, "Replace", &d->u.replace.pattern,
                              NULL, NULL)))
            return rc;
        return get_str(r, j, "content", REQUIRED, &d->u.replace.content);
    case TOK_DEC_SEQUENCE:
        return read_sequence(r, j, "decoders", &decoder_kind, &d->u.seq.items,
                             &d->u.seq.n);
    default:
        return TOK_OK;
    }
}

static void *make_decoder(int type)
{
    return tok_decoder_new((tok_decoder_type)type);
}

static void dispose_decoder(void *obj)
{
    tok_decoder_free(obj);
}

static const component_kind decoder_kind = {
    "decoder", decoder_types, sizeof decoder_types / sizeof decoder_types[0],
    make_decoder, dispose_decoder, read_decoder_body,
};

/* ------------------------------------------------------------------------
 * Models
 * ------------------------------------------------------------------------ */

/* Ids may leave gaps, as in Hugging Face: tiktoken's vocabularies skip
 * ids before and between their special tokens (cl100k_base has no 100256),
 * and their tokenizer.json files keep those ids.  But an id far past the
 * number of entries is refused before it sizes any table: a short file
 * must not make the loader allocate gigabytes. */
static uint64_t id_limit(uint64_t count)
{
    return 2 * count + 1024;
}

static int check_id(const cJSON *c, uint64_t count, const char *where,
                    int32_t *out, tok_error *err)
{
    uint64_t id;
    if (!as_uint(c, INT32_MAX - 1, &id))
        return tok_error_set(err, TOK_EFORMAT,
                             "%s: \"%.60s\": expected an id (an integer "
                             "from 0 to %d), found %s", where, c->string,
                             INT32_MAX - 1, kind(c));
    if (id >= id_limit(count))
        return tok_error_set(err, TOK_EFORMAT,
                             "%s: \"%.60s\": id %llu is too far past the "
                             "end of the vocabulary (%llu entries; ids may "
                             "leave gaps but must stay below %llu)", where,
                             c->string, (unsigned long long)id,
                             (unsigned long long)count,
                             (unsigned long long)id_limit(count));
    *out = (int32_t)id;
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * The big members: model.vocab and model.merges
 *
 * They are nearly all of a file (GPT-2's holds 100,000 strings there), and
 * cJSON makes two allocations per string.  So when the document allows,
 * they are found by a scan, checked and read here straight from the text,
 * and cut out (left as {} and []) of the copy cJSON parses.  The readers accept less than cJSON
 * (JSON whitespace only, plain integers, the escapes cJSON knows) and give
 * the same strings and numbers; on anything else, or on any error to
 * report, they give up with FAST_RETRY and the document is read again the
 * plain way, so errors are always the plain way's.
 * ------------------------------------------------------------------------ */

#define FAST_RETRY (-100)

typedef struct fast_str {
    const char *s;
    size_t len;
} fast_str;

/* What the scan found and read: vocab keys and ids, merges as pairs. */
struct fast_members {
    size_t vocab_at, vocab_end;    /* vocab_end 0: no fast vocab */
    size_t merges_at, merges_end;  /* merges_end 0: no fast merges */
    fast_str *keys;
    int32_t *ids;
    size_t nvocab, ids_cap;
    fast_str *merges;              /* two per merge */
    size_t nmerges;
    bool merges_as_strings;
    char *unescaped;               /* strings that held escapes */
    size_t unescaped_len;
    bool nomem;                    /* the scan stopped for memory */
};
typedef struct fast_members fast_members;

static void fast_members_dispose(fast_members *f)
{
    tok_free(f->keys);
    tok_free(f->ids);
    tok_free(f->merges);
    tok_free(f->unescaped);
    memset(f, 0, sizeof *f);
}

/* JSON's white space: one test per byte (files are indented deeply). */
#define JSON_WS ((UINT64_C(1) << ' ') | (UINT64_C(1) << '\n') | \
                 (UINT64_C(1) << '\r') | (UINT64_C(1) << '\t'))

static inline size_t skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && (unsigned char)s[i] <= ' ' &&
           (JSON_WS >> (unsigned char)s[i] & 1))
        i++;
    return i;
}

/* Past the string that starts at s[i] ('"'), or 0 when it does not end. */
static size_t skip_string(const char *s, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (s[i] == '"')
            return i + 1;
        if (s[i] == '\\')
            i++;
    }
    return 0;
}

/* Past the value at s[i], or 0 when it is cut short.  Brackets are only
 * counted, not matched: cJSON checks the parts the scan passes over. */
static size_t skip_value(const char *s, size_t len, size_t i)
{
    if (i >= len)
        return 0;
    if (s[i] == '"')
        return skip_string(s, len, i);
    if (s[i] != '{' && s[i] != '[') {
        while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']' &&
               s[i] != ' ' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t')
            i++;
        return i;
    }
    size_t depth = 0;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '"') {
            size_t j = skip_string(s, len, i);
            if (!j)
                return 0;
            i = j - 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return i + 1;
        }
    }
    return 0;
}

/* Four hex digits at s[i]; -1 when they are not. */
static long hex4(const char *s, size_t len, size_t i)
{
    if (len - i < 4)
        return -1;
    long v = 0;
    for (size_t k = 0; k < 4; k++) {
        char c = s[i + k];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Reads the string at s[*i] ('"') as cJSON would; strings with escapes
 * are written to f->unescaped (room for the whole document was made).
 * False on what cJSON might read otherwise: raw control characters, an
 * escape it rejects, U+0000, a lone surrogate. */
static inline bool read_string(fast_members *f, const char *s, size_t len,
                               size_t *i, fast_str *out)
{
    size_t at = *i + 1, k = at;
    /* The plain bytes of a string: not '"', '\\' nor a control. */
    while (k < len && (unsigned char)s[k] >= 0x20 && s[k] != '"' &&
           s[k] != '\\')
        k++;
    if (k < len && s[k] == '"') {
        out->s = s + at;
        out->len = k - at;
        *i = k + 1;
        return true;
    }
    char *o = f->unescaped + f->unescaped_len;
    size_t n = 0;
    memcpy(o, s + at, k - at);
    n = k - at;
    while (k < len && s[k] != '"') {
        unsigned char c = (unsigned char)s[k];
        if (c < 0x20)
            return false;
        if (c != '\\') {
            o[n++] = (char)c;
            k++;
            continue;
        }
        if (++k >= len)
            return false;
        char e = s[k++];
        switch (e) {
        case '"': case '\\': case '/': o[n++] = e; break;
        case 'b': o[n++] = '\b'; break;
        case 'f': o[n++] = '\f'; break;
        case 'n': o[n++] = '\n'; break;
        case 'r': o[n++] = '\r'; break;
        case 't': o[n++] = '\t'; break;
        case 'u': {
            long u = hex4(s, len, k);
            if (u <= 0 || (u >= 0xDC00 && u <= 0xDFFF))
                return false;
            k += 4;
            uint32_t cp = (uint32_t)u;
            if (u >= 0xD800 && u <= 0xDBFF) {
                long lo = len - k >= 6 && s[k] == '\\' && s[k + 1] == 'u'
                    ? hex4(s, len, k + 2) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return false;
                k += 6;
                cp = 0x10000 + (((uint32_t)u - 0xD800) << 10) +
                     ((uint32_t)lo - 0xDC00);
            }
            n += tok_utf8_encode(cp, o + n);
            break;
        }
        default:
            return false;
        }
    }
    if (k >= len)
        return false;
    out->s = o;
    out->len = n;
    f->unescaped_len += n;
    *i = k + 1;
    return true;
}

/* A plain integer that fits an id ("0" or digits without a leading
 * zero, up to INT32_MAX - 1), as check_id wants it. */
static bool read_id(const char *s, size_t len, size_t *i, int32_t *out)
{
    size_t k = *i;
    uint64_t v = 0;
    while (k < len && s[k] >= '0' && s[k] <= '9' && k - *i < 11)
        v = v * 10 + (uint64_t)(s[k++] - '0');
    if (k == *i || (s[*i] == '0' && k - *i > 1) || v > INT32_MAX - 1 ||
        (k < len && (s[k] == '.' || s[k] == 'e' || s[k] == 'E' ||
                     (s[k] >= '0' && s[k] <= '9'))))
        return false;
    *out = (int32_t)v;
    *i = k;
    return true;
}

/* Room for one more entry in an array the scan fills. */
#define FAST_GROW(f, ptr, cap, n) \
    ((n) < (cap) || TOK_GROW(ptr, cap, (n) + 1) == TOK_OK || \
     ((f)->nomem = true, false))

/* Reads the object at s[*i] as model.vocab; *i moves past it. */
static bool read_vocab_text(fast_members *f, const char *s, size_t len,
                            size_t *at)
{
    size_t cap = 0, i = skip_ws(s, len, *at + 1);
    f->vocab_at = *at;
    if (i < len && s[i] == '}') {
        f->vocab_end = *at = i + 1;
        return true;
    }
    for (;;) {
        if (!FAST_GROW(f, f->keys, cap, f->nvocab))
            return false;
        if (cap > f->ids_cap) {
            int32_t *ids = tok_realloc(f->ids, cap * sizeof *ids);
            if (!ids) {
                f->nomem = true;
                return false;
            }
            f->ids = ids;
            f->ids_cap = cap;
        }
        if (i >= len || s[i] != '"' ||
            !read_string(f, s, len, &i, &f->keys[f->nvocab]))
            return false;
        i = skip_ws(s, len, i);
        if (i >= len || s[i] != ':')
            return false;
        i = skip_ws(s, len, i + 1);
        if (!read_id(s, len, &i, &f->ids[f->nvocab]))
            return false;
        f->nvocab++;
        i = skip_ws(s, len, i);
        if (i < len && s[i] == ',') {
            i = skip_ws(s, len, i + 1);
            continue;
        }
        if (i >= len || s[i] != '}')
            return false;
        f->vocab_end = *at = i + 1;
        return true;
    }
}

/* Reads the array at s[*i] as model.merges; *i moves past it. */
static bool read_merges_text(fast_members *f, const char *s, size_t len,
                             size_t *at)
{
    size_t cap = 0, i = skip_ws(s, len, *at + 1);
    f->merges_at = *at;
    if (i < len && s[i] == ']') {
        f->merges_end = *at = i + 1;
        return true;
    }
    f->merges_as_strings = i < len && s[i] == '"';
    for (;;) {
        if (!FAST_GROW(f, f->merges, cap, 2 * f->nmerges + 1))
            return false;
        fast_str *m = &f->merges[2 * f->nmerges];
        if (i >= len)
            return false;
        if (f->merges_as_strings) {
            if (s[i] != '"' || !read_string(f, s, len, &i, &m[0]))
                return false;
            m[1].s = NULL;
            m[1].len = 0;
        } else {
            if (s[i] != '[')
                return false;
            i = skip_ws(s, len, i + 1);
            if (i >= len || s[i] != '"' || !read_string(f, s, len, &i, &m[0]))
                return false;
            i = skip_ws(s, len, i);
            if (i >= len || s[i] != ',')
                return false;
            i = skip_ws(s, len, i + 1);
            if (i >= len || s[i] != '"' || !read_string(f, s, len, &i, &m[1]))
                return false;
            i = skip_ws(s, len, i);
            if (i >= len || s[i] != ']')
                return false;
            i++;
        }
        f->nmerges++;
        i = skip_ws(s, len, i);
        if (i < len && s[i] == ',') {
            i = skip_ws(s, len, i + 1);
            continue;
        }
        if (i >= len || s[i] != ']')
            return false;
        f->merges_end = *at = i + 1;
        return true;
    }
}

/* Finds model.vocab and model.merges in a document whose top level is
 * an object, each member at most once, and reads them.  False (nothing
 * found or usable) leaves the document to the plain way. */
static bool fast_scan_members(const char *s, size_t len, fast_members *f)
{
    size_t i = skip_ws(s, len, 0);
    bool seen_model = false;
    if (i >= len || s[i] != '{')
        return false;
    i = skip_ws(s, len, i + 1);
    while (i < len && s[i] == '"') {
        size_t k = skip_string(s, len, i);
        /* A key spelled with escapes could be "model" too. */
        if (!k || memchr(s + i, '\\', k - i))
            return false;
        bool model = k - i == 7 && memcmp(s + i, "\"model\"", 7) == 0;
        i = skip_ws(s, len, k);
        if (i >= len || s[i] != ':')
            return false;
        i = skip_ws(s, len, i + 1);
        if (model) {
            if (seen_model || i >= len || s[i] != '{')
                return false;
            seen_model = true;
            i = skip_ws(s, len, i + 1);
            while (i < len && s[i] == '"') {
                k = skip_string(s, len, i);
                if (!k || memchr(s + i, '\\', k - i))
                    return false;
                bool vocab = k - i == 7 && memcmp(s + i, "\"vocab\"", 7) == 0;
                bool merges = k - i == 8 &&
                              memcmp(s + i, "\"merges\"", 8) == 0;
                i = skip_ws(s, len, k);
                if (i >= len || s[i] != ':')
                    return false;
                i = skip_ws(s, len, i + 1);
                if (i >= len)
                    return false;
                if (vocab) {
                    if (f->vocab_end || s[i] != '{' ||
                        !read_vocab_text(f, s, len, &i))
                        return false;
                } else if (merges) {
                    if (f->merges_end || s[i] != '[' ||
                        !read_merges_text(f, s, len, &i))
                        return false;
                } else if (!(i = skip_value(s, len, i))) {
                    return false;
                }
                i = skip_ws(s, len, i);
                if (i < len && s[i] == ',')
                    i = skip_ws(s, len, i + 1);
            }
            if (i >= len || s[i] != '}')
                return false;
            i++;
        } else {
            i = skip_value(s, len, i);
            if (!i)
                return false;
        }
        i = skip_ws(s, len, i);
        if (i < len && s[i] == ',')
            i = skip_ws(s, len, i + 1);
    }
    return f->vocab_end != 0;
}

/* 1 when the members were read, 0 when the document must go the plain
 * way, TOK_ENOMEM when an allocation failed (so that failure is told, not
 * hidden by the plain way succeeding). */
static int fast_scan(const char *s, size_t len, fast_members *f)
{
    memset(f, 0, sizeof *f);
    /* Unescaping never lengthens a string: the document's length is room
     * for all of them. */
    f->unescaped = tok_malloc(len + 1);
    if (!f->unescaped)
        return TOK_ENOMEM;
    if (fast_scan_members(s, len, f))
        return 1;
    bool nomem = f->nomem;
    fast_members_dispose(f);
    return nomem ? TOK_ENOMEM : 0;
}

/* The document without the members the scan read: their values become
 * {} and [], so cJSON, which skips white space one byte at a time, never
 * passes over them.  Offsets after them move, so an error cJSON finds in
 * this copy is not reported: the document is read again the plain way. */
static char *fast_without(const char *s, size_t len, const fast_members *f,
                          size_t *out_len)
{
    char *copy = tok_malloc(len + 1);
    if (!copy)
        return NULL;
    size_t cut[2][2] = {{f->vocab_at, f->vocab_end},
                        {f->merges_at, f->merges_end}};
    const char *mark[2] = {"{}", "[]"};
    int first = f->merges_end && f->merges_at < f->vocab_at;
    size_t n = 0, at = 0;
    for (int k = 0; k < 2; k++) {
        int which = k ^ first;
        if (!cut[which][1])
            continue;
        memcpy(copy + n, s + at, cut[which][0] - at);
        n += cut[which][0] - at;
        memcpy(copy + n, mark[which], 2);
        n += 2;
        at = cut[which][1];
    }
    memcpy(copy + n, s + at, len - at);
    n += len - at;
    copy[n] = '\0';
    *out_len = n;
    return copy;
}

static int read_vocab(reader *r, const cJSON *j, tok_vocab *v)
{
    const cJSON *map;
    int rc = field(r, j, "vocab", REQUIRED, &map);
    if (rc)
        return rc;
    if (!cJSON_IsObject(map))
        return fail_at(r, "vocab", TOK_EFORMAT,
                       "expected an object, found %s", kind(map));
    size_t old = push_key(r, "vocab");
    if (r->fast) {
        const fast_members *f = r->fast;
        if (tok_vocab_reserve(v, f->nvocab))
            rc = nomem(r);
        for (size_t i = 0; i < f->nvocab && rc == TOK_OK; i++) {
            if ((size_t)f->ids[i] >= f->nvocab) {
                rc = FAST_RETRY;
                break;
            }
            rc = tok_vocab_add(v, f->keys[i].s, f->keys[i].len, f->ids[i],
                               NULL);
            if (rc == TOK_ENOMEM)
                rc = nomem(r);
            else if (rc)
                rc = FAST_RETRY;
        }
        pop(r, old);
        return rc;
    }
    uint64_t count = (uint64_t)cJSON_GetArraySize(map);
    for (const cJSON *c = map->child; c; c = c->next) {
        int32_t id = 0;
        if ((rc = check_id(c, count, r->path, &id, r->err)) != TOK_OK)
            break;
        rc = tok_vocab_add(v, c->string, strlen(c->string), id, r->err);
        if (rc) {
            tok_error_prefix(r->err, r->path);
            break;
        }
    }
    pop(r, old);
    return rc;
}

/* read_merges on what the scan read: the same checks, and any failure
 * sends the document the plain way for its message. */
static int read_merges_fast(reader *r, tok_model *m)
{
    const fast_members *f = r->fast;
    m->merges_as_strings = f->merges_as_strings;
    size_t cap = f->nmerges;
    if (cap && !(m->merges = tok_malloc(cap * sizeof *m->merges)))
        return nomem(r);
    for (size_t i = 0; i < f->nmerges; i++) {
        const fast_str *p = &f->merges[2 * i];
        const char *a = p[0].s, *b;
        size_t alen, blen;
        if (f->merges_as_strings) {
            if (p[0].len >= 8 && memcmp(a, "#version", 8) == 0)
                continue;
            const char *sp = memchr(a, ' ', p[0].len);
            if (!sp || memchr(sp + 1, ' ', p[0].len - (size_t)(sp - a) - 1))
                return FAST_RETRY;
            alen = (size_t)(sp - a);
            b = sp + 1;
            blen = p[0].len - alen - 1;
        } else {
            alen = p[0].len;
            b = p[1].s;
            blen = p[1].len;
        }
        int rc = tok_merge_append(m, &cap, a, alen, b, blen, NULL);
        if (rc == TOK_ENOMEM)
            return nomem(r);
        if (rc)
            return FAST_RETRY;
    }
    return tok_merges_dedup(m, r->err);
}

static int read_merges(reader *r, const cJSON *j, tok_model *m)
{
    const cJSON *arr;
    int rc = get_array(r, j, "merges", &arr);
    if (rc)
        return rc;
    if (r->fast && r->fast->merges_end)
        return read_merges_fast(r, m);
    size_t cap = 0, i = 0;
    bool strings = arr->child && cJSON_IsString(arr->child);
    m->merges_as_strings = strings;
    for (const cJSON *c = arr->child; c; c = c->next, i++) {
        const char *a, *b;
        size_t alen, blen;
        size_t old = push(r, ".merges[%zu]", i);
        if (strings) {
            if (!cJSON_IsString(c)) {
                rc = fail(r, TOK_EFORMAT, "expected a string like the first "
                          "merge, found %s", kind(c));
                goto next;
            }
            const char *s = c->valuestring;
            /* Legacy files may carry the header line of merges.txt. */
            if (strncmp(s, "#version", 8) == 0)
                goto next;
            const char *sp = strchr(s, ' ');
            if (!sp || strchr(sp + 1, ' ')) {
                rc = fail(r, TOK_EFORMAT, "expected two tokens separated by "
                          "one space, found \"%.60s\"", s);
                goto next;
            }
            a = s;
            alen = (size_t)(sp - s);
            b = sp + 1;
            blen = strlen(b);
        } else {
            if (!cJSON_IsArray(c) || cJSON_GetArraySize(c) != 2 ||
                !cJSON_IsString(c->child) || !cJSON_IsString(c->child->next)) {
                rc = fail(r, TOK_EFORMAT, "expected a pair of strings like "
                          "the first merge");
                goto next;
            }
            a = c->child->valuestring;
            alen = strlen(a);
            b = c->child->next->valuestring;
            blen = strlen(b);
        }
        rc = tok_merge_append(m, &cap, a, alen, b, blen, r->err);
        if (rc)
            tok_error_prefix(r->err, r->path);
next:
        pop(r, old);
        if (rc)
            return rc;
    }
    if ((rc = tok_merges_dedup(m, r->err)) != TOK_OK)
        return rc;
    return TOK_OK;
}

static int read_model_body(reader *r, const cJSON *j, tok_model *m)
{
    int rc;
    if (m->type == TOK_MODEL_WORDPIECE) {
        uint64_t maxc;
        if ((rc = get_str(r, j, "unk_token", REQUIRED, &m->unk_token)) ||
            (rc = get_str(r, j, "continuing_subword_prefix", REQUIRED,
                          &m->continuing_subword_prefix)) ||
            (rc = get_uint(r, j, "max_input_chars_per_word", REQUIRED,
                           SIZE_MAX, 100, &maxc)) ||
            (rc = read_vocab(r, j, &m->vocab)))
            return rc;
        m->max_input_chars_per_word = (size_t)maxc;
        return TOK_OK;
    }
    const cJSON *dropout;
    if ((rc = field(r, j, "dropout", NULLABLE, &dropout)))
        return rc;
    if (dropout)
        return fail_at(r, "dropout", TOK_EUNSUPPORTED,
                       "BPE dropout is not supported (it must be null)");
    if ((rc = get_str(r, j, "unk_token", NULLABLE, &m->unk_token)) ||
        (rc = get_str(r, j, "continuing_subword_prefix", NULLABLE,
                      &m->continuing_subword_prefix)) ||
        (rc = get_str(r, j, "end_of_word_suffix", NULLABLE,
                      &m->end_of_word_suffix)) ||
        (rc = get_bool(r, j, "fuse_unk", NULLABLE, false, &m->fuse_unk)) ||
        (rc = get_bool(r, j, "byte_fallback", NULLABLE, false,
                       &m->byte_fallback)) ||
        (rc = get_bool(r, j, "ignore_merges", NULLABLE, false,
                       &m->ignore_merges)) ||
        (rc = read_vocab(r, j, &m->vocab)) ||
        (rc = read_merges(r, j, m)))
        return rc;
    return TOK_OK;
}

static int read_model(reader *r, const cJSON *j, tok_model **out)
{
    const char *type;
    *out = NULL;
    int rc = get_type(r, j, &type);
    if (rc)
        return rc;
    tok_model_type mt;
    if (strcmp(type, "BPE") == 0)
        mt = TOK_MODEL_BPE;
    else if (strcmp(type, "WordPiece") == 0)
        mt = TOK_MODEL_WORDPIECE;
    else
        return fail(r, TOK_EUNSUPPORTED, "model type \"%s\" is not supported",
                    type);
    tok_model *m = tok_model_new(mt);
    if (!m)
        return nomem(r);
    if ((rc = read_model_body(r, j, m)) == TOK_OK &&
        (rc = tok_model_build(m, r->err)) != TOK_OK)
        tok_error_prefix(r->err, r->path);
    if (rc) {
        tok_model_free(m);
        return rc;
    }
    *out = m;
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * Truncation and padding, kept as canonical JSON for the writer
 * ------------------------------------------------------------------------ */

static int put_str(tok_buffer *b, const char *s)
{
    return tok_json_put_string(b, s, strlen(s));
}

static int read_truncation(reader *r, const cJSON *j, char **out)
{
    static const char *const dirs[] = {"Left", "Right", NULL};
    static const char *const strategies[] = {
        "LongestFirst", "OnlyFirst", "OnlySecond", NULL
    };
    int dir, strategy, rc;
    uint64_t max_length, stride;
    if (!cJSON_IsObject(j))
        return fail(r, TOK_EFORMAT, "expected an object or null, found %s",
                    kind(j));
    if ((rc = get_enum(r, j, "direction", OPTIONAL, dirs, 1, &dir)) ||
        (rc = get_uint(r, j, "max_length", REQUIRED, SIZE_MAX, 0,
                       &max_length)) ||
        (rc = get_enum(r, j, "strategy", REQUIRED, strategies, 0,
                       &strategy)) ||
        (rc = get_uint(r, j, "stride", REQUIRED, SIZE_MAX, 0, &stride)))
        return rc;
    tok_buffer b = TOK_BUFFER_INIT;
    if (tok_buffer_printf(&b, "{\"direction\":\"%s\",\"max_length\":%llu,"
                          "\"strategy\":\"%s\",\"stride\":%llu}", dirs[dir],
                          (unsigned long long)max_length,
                          strategies[strategy], (unsigned long long)stride)) {
        tok_buffer_dispose(&b);
        return nomem(r);
    }
    *out = b.data;
    return TOK_OK;
}

static int read_padding(reader *r, const cJSON *j, char **out)
{
    static const char *const dirs[] = {"Left", "Right", NULL};
    int dir, rc;
    uint64_t multiple = 0, pad_id, pad_type_id, fixed = 0;
    const cJSON *strategy, *mult, *tok;
    if (!cJSON_IsObject(j))
        return fail(r, TOK_EFORMAT, "expected an object or null, found %s",
                    kind(j));
    if ((rc = field(r, j, "strategy", REQUIRED, &strategy)) ||
        (rc = get_enum(r, j, "direction", REQUIRED, dirs, 1, &dir)) ||
        (rc = field(r, j, "pad_to_multiple_of", NULLABLE, &mult)) ||
        (rc = get_uint(r, j, "pad_id", REQUIRED, UINT32_MAX, 0, &pad_id)) ||
        (rc = get_uint(r, j, "pad_type_id", REQUIRED, UINT32_MAX, 0,
                       &pad_type_id)) ||
        (rc = field(r, j, "pad_token", REQUIRED, &tok)))
        return rc;
    bool batch = cJSON_IsString(strategy) &&
                 strcmp(strategy->valuestring, "BatchLongest") == 0;
    if (!batch) {
        const cJSON *f = cJSON_IsObject(strategy) && strategy->child &&
                         !strategy->child->next ? strategy->child : NULL;
        if (!f || strcmp(f->string, "Fixed") != 0 ||
            !as_uint(f, SIZE_MAX, &fixed))
            return fail_at(r, "strategy", TOK_EFORMAT,
                           "expected \"BatchLongest\" or {\"Fixed\": n}");
    }
    if (mult && !as_uint(mult, SIZE_MAX, &multiple))
        return fail_at(r, "pad_to_multiple_of", TOK_EFORMAT,
                       "expected an integer or null, found %s", kind(mult));
    if (!cJSON_IsString(tok))
        return fail_at(r, "pad_token", TOK_EFORMAT,
                       "expected a string, found %s", kind(tok));
    tok_buffer b = TOK_BUFFER_INIT;
    int e = batch ? tok_buffer_printf(&b, "{\"strategy\":\"BatchLongest\"")
                  : tok_buffer_printf(&b, "{\"strategy\":{\"Fixed\":%llu}",
                                      (unsigned long long)fixed);
    e = e || tok_buffer_printf(&b, ",\"direction\":\"%s\"", dirs[dir]);
    if (mult)
        e = e || tok_buffer_printf(&b, ",\"pad_to_multiple_of\":%llu",
                                   (unsigned long long)multiple);
    else
        e = e || tok_buffer_printf(&b, ",\"pad_to_multiple_of\":null");
    e = e || tok_buffer_printf(&b, ",\"pad_id\":%llu,\"pad_type_id\":%llu,"
                               "\"pad_token\":",
                               (unsigned long long)pad_id,
                               (unsigned long long)pad_type_id);
    e = e || put_str(&b, tok->valuestring);
    e = e || tok_buffer_append_char(&b, '}');
    if (e) {
        tok_buffer_dispose(&b);
        return nomem(r);
    }
    *out = b.data;
    return TOK_OK;
}

/* ------------------------------------------------------------------------
 * The file
 * ------------------------------------------------------------------------ */

static int read_added(reader *r, const cJSON *root, tok_tokenizer *tk)
{
    const cJSON *arr;
    int rc = field(r, root, "added_tokens", NULLABLE, &arr);
    if (rc || !arr)
        return rc;
    if (!cJSON_IsArray(arr))
        return fail_at(r, "added_tokens", TOK_EFORMAT,
                       "expected an array, found %s", kind(arr));
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (n == 0)
        return TOK_OK;
    tok_added_token *v = tok_calloc(n, sizeof *v);
    if (!v)
        return nomem(r);
    size_t i = 0;
    for (const cJSON *c = arr->child; c && rc == TOK_OK; c = c->next, i++) {
        size_t old = push(r, "added_tokens[%zu]", i);
        tok_added_token *t = &v[i];
        const cJSON *content;
        uint64_t id;
        if (!cJSON_IsObject(c))
            rc = fail(r, TOK_EFORMAT, "expected an object, found %s",
                      kind(c));
        else if (!(rc = get_uint(r, c, "id", REQUIRED, UINT32_MAX, 0, &id)) &&
                 !(rc = field(r, c, "content", REQUIRED, &content)) &&
                 !(rc = get_bool(r, c, "single_word", REQUIRED, false,
                                 &t->single_word)) &&
                 !(rc = get_bool(r, c, "lstrip", REQUIRED, false,
                                 &t->lstrip)) &&
                 !(rc = get_bool(r, c, "rstrip", REQUIRED, false,
                                 &t->rstrip)) &&
                 !(rc = get_bool(r, c, "normalized", REQUIRED, false,
                                 &t->normalized)) &&
                 !(rc = get_bool(r, c, "special", REQUIRED, false,
                                 &t->special))) {
            if (!cJSON_IsString(content)) {
                rc = fail_at(r, "content", TOK_EFORMAT,
                             "expected a string, found %s", kind(content));
            } else {
                /* Borrowed from the cJSON tree; assign copies it. */
                t->content = content->valuestring;
                t->len = strlen(content->valuestring);
                t->id = (int32_t)(id > INT32_MAX ? INT32_MAX : id);
            }
        }
        pop(r, old);
    }
    if (rc == TOK_OK)
        rc = tok_added_assign(tk, v, n, r->err);
    tok_free(v);
    return rc;
}

static int read_stage(reader *r, const cJSON *root, const char *key,
                      int (*fn)(reader *, const cJSON *, void *),
                      void *out)
{
    const cJSON *j;
    int rc = field(r, root, key, NULLABLE, &j);
    if (rc || !j)
        return rc;
    size_t old = push_key(r, key);
    rc = fn(r, j, out);
    pop(r, old);
    return rc;
}

static int stage_normalizer(reader *r, const cJSON *j, void *out)
{
    void *obj;
    int rc = read_component(r, &normalizer_kind, j, &obj);
    *(tok_normalizer **)out = obj;
    return rc;
}

static int stage_pretok(reader *r, const cJSON *j, void *out)
{
    void *obj;
    int rc = read_component(r, &pretok_kind, j, &obj);
    *(tok_pretok **)out = obj;
    return rc;
}

static int stage_postproc(reader *r, const cJSON *j, void *out)
{
    void *obj;
    int rc = read_component(r, &postproc_kind, j, &obj);
    *(tok_postproc **)out = obj;
    return rc;
}

static int stage_decoder(reader *r, const cJSON *j, void *out)
{
    void *obj;
    int rc = read_component(r, &decoder_kind, j, &obj);
    *(tok_decoder **)out = obj;
    return rc;
}

static int stage_model(reader *r, const cJSON *j, void *out)
{
    return read_model(r, j, out);
}

static int stage_truncation(reader *r, const cJSON *j, void *out)
{
    return read_truncation(r, j, out);
}

static int stage_padding(reader *r, const cJSON *j, void *out)
{
    return read_padding(r, j, out);
}

static int read_tokenizer(reader *r, const cJSON *root, tok_tokenizer *tk)
{
    int rc;
    if (!cJSON_IsObject(root))
        return fail(r, TOK_EFORMAT, "expected a JSON object, found %s",
                    kind(root));
    const cJSON *version, *model;
    if ((rc = field(r, root, "version", OPTIONAL, &version)))
        return rc;
    if (version && (!cJSON_IsString(version) ||
                    strcmp(version->valuestring, "1.0") != 0))
        return fail_at(r, "version", TOK_EUNSUPPORTED,
                       "only version \"1.0\" is supported");
    if ((rc = field(r, root, "model", REQUIRED, &model)))
        return rc;
    if (!model || cJSON_IsNull(model))
        return fail(r, TOK_EFORMAT, "the tokenizer has no model");
    if ((rc = read_stage(r, root, "model", stage_model, &tk->model)) ||
        (rc = read_stage(r, root, "normalizer", stage_normalizer,
                         &tk->normalizer)) ||
        (rc = read_stage(r, root, "pre_tokenizer", stage_pretok,
                         &tk->pretok)) ||
        (rc = read_stage(r, root, "post_processor", stage_postproc,
                         &tk->postproc)) ||
        (rc = read_stage(r, root, "decoder", stage_decoder, &tk->decoder)) ||
        (rc = read_stage(r, root, "truncation", stage_truncation,
                         &tk->truncation_json)) ||
        (rc = read_stage(r, root, "padding", stage_padding,
                         &tk->padding_json)))
        return rc;
    return read_added(r, root, tk);
}

/* Reads a document, the fast way for its big members when `fast` is
 * given (FAST_RETRY: read it the plain way). */
static int from_json(tok_tokenizer **out, const char *json, size_t len,
                     const fast_members *fast, tok_error *err)
{
    cJSON *root;
    int rc;
    if (fast) {
        size_t clen;
        char *copy = fast_without(json, len, fast, &clen);
        if (!copy)
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        rc = parse_json_checked(copy, clen, NULL, true, &root, err);
        tok_free(copy);
        /* The plain way tells where the document is wrong. */
        if (rc && rc != TOK_ENOMEM)
            return FAST_RETRY;
    } else {
        rc = parse_json(json, len, NULL, &root, err);
    }
    if (rc)
        return rc;
    tok_tokenizer *tk = tok_tokenizer_new();
    if (!tk) {
        cJSON_Delete(root);
        return tok_error_set(err, TOK_ENOMEM, "out of memory");
    }
    reader r;
    memset(&r, 0, sizeof r);
    r.err = err;
    r.fast = fast;
    rc = read_tokenizer(&r, root, tk);
    cJSON_Delete(root);
    if (rc == TOK_OK)
        rc = tok_tokenizer_finish(tk, err);
    if (rc) {
        tok_tokenizer_free(tk);
        return rc;
    }
    *out = tk;
    return TOK_OK;
}

int tok_tokenizer_from_json(tok_tokenizer **out, const char *json,
                            size_t len, tok_error *err)
{
    if (!out || (!json && len))
        return tok_error_set(err, TOK_EINVAL, "no output or input given");
    *out = NULL;
    if (!json)
        json = "";
    fast_members f;
    int rc = FAST_RETRY;
    if (tok_utf8_validate(json, len) == len) {
        int found = fast_scan(json, len, &f);
        if (found == TOK_ENOMEM)
            return tok_error_set(err, TOK_ENOMEM, "out of memory");
        if (found) {
            rc = from_json(out, json, len, &f, err);
            fast_members_dispose(&f);
        }
    }
    if (rc == FAST_RETRY)
        rc = from_json(out, json, len, NULL, err);
    return rc;
}

int tok_tokenizer_load(tok_tokenizer **out, const char *path,
                       tok_error *err)
{
    if (!out || !path)
        return tok_error_set(err, TOK_EINVAL, "no output or path given");
    *out = NULL;
    char *data;
    size_t len;
    int rc = tok_read_file(path, &data, &len, err);
    if (rc)
        return rc;
    rc = tok_tokenizer_from_json(out, data, len, err);
    tok_free(data);
    if (rc)
        tok_error_prefix(err, path);
    return rc;
}

/* ------------------------------------------------------------------------
 * GPT-2 vocab.json
 * ------------------------------------------------------------------------ */

int tok_vocab_json_read(tok_vocab *v, const char *json, size_t len,
                        const char *name, tok_error *err)
{
    cJSON *root;
    int rc = parse_json(json, len, name, &root, err);
    if (rc)
        return rc;
    if (!cJSON_IsObject(root)) {
        rc = tok_error_set(err, TOK_EFORMAT,
                           "%s: expected an object of token -> id, found %s",
                           name, kind(root));
    } else {
        uint64_t count = (uint64_t)cJSON_GetArraySize(root);
        for (const cJSON *c = root->child; c; c = c->next) {
            int32_t id = 0;
            if ((rc = check_id(c, count, name, &id, err)) != TOK_OK)
                break;
            rc = tok_vocab_add(v, c->string, strlen(c->string), id, err);
            if (rc) {
                tok_error_prefix(err, name);
                break;
            }
        }
    }
    cJSON_Delete(root);
    return rc;
}

/* ------------------------------------------------------------------------
 * special_tokens.json beside a .tiktoken file
 * ------------------------------------------------------------------------ */

static void free_specials(tok_added_token *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tok_free(v[i].content);
    tok_free(v);
}

int tok_tiktoken_json_read(const char *json, size_t len, const char *name,
                           char **pat_str, tok_added_token **specials,
                           size_t *n, tok_error *err)
{
    *pat_str = NULL;
    *specials = NULL;
    *n = 0;
    cJSON *root;
    int rc = parse_json(json, len, name, &root, err);
    if (rc)
        return rc;
    reader r;
    memset(&r, 0, sizeof r);
    r.err = err;
    push(&r, "%s", name);
    const cJSON *map = NULL;
    tok_added_token *v = NULL;
    size_t count = 0;
    if (!cJSON_IsObject(root)) {
        rc = fail(&r, TOK_EFORMAT, "expected an object, found %s",
                  kind(root));
        goto done;
    }
    if ((rc = get_str(&r, root, "pat_str", NULLABLE, pat_str)) ||
        (rc = field(&r, root, "special_tokens", NULLABLE, &map)))
        goto done;
    if (map && !cJSON_IsObject(map)) {
        rc = fail_at(&r, "special_tokens", TOK_EFORMAT,
                     "expected an object of token -> id, found %s",
                     kind(map));
        goto done;
    }
    size_t total = map ? (size_t)cJSON_GetArraySize(map) : 0;
    if (total && !(v = tok_calloc(total, sizeof *v))) {
        rc = nomem(&r);
        goto done;
    }
    for (const cJSON *c = map ? map->child : NULL; c; c = c->next) {
        uint64_t id;
        if (!as_uint(c, INT32_MAX - 1, &id)) {
            size_t old = push(&r, ".special_tokens[\"%.60s\"]", c->string);
            rc = fail(&r, TOK_EFORMAT, "expected an id (an integer from 0 "
                      "to %d), found %s", INT32_MAX - 1, kind(c));
            pop(&r, old);
            goto done;
        }
        if (!(v[count].content = tok_strdup(c->string))) {
            rc = nomem(&r);
            goto done;
        }
        v[count].len = strlen(c->string);
        v[count].id = (int32_t)id;
        v[count].special = true;
        count++;
    }
done:
    cJSON_Delete(root);
    if (rc) {
        free_specials(v, count);
        tok_free(*pat_str);
        *pat_str = NULL;
        return rc;
    }
    *specials = v;
    *n = count;
    return TOK_OK;
}
