/* CLI stage: resolving `-m MODEL` to a file and loading it. */
#include "model.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "io.h"

#define MAX_PATH 4096
#define MAX_NAMES 64

static char loaded_path[MAX_PATH];

const char *cli_model_path(void)
{
    return loaded_path;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* dir + "/" + name into out; 0, or -1 when it does not fit. */
static int join(char out[MAX_PATH], const char *dir, const char *name)
{
    size_t n = strlen(dir);
    const char *sep = n && dir[n - 1] == '/' ? "" : "/";
    int k = snprintf(out, MAX_PATH, "%s%s%s", dir, sep, name);
    return k < 0 || k >= MAX_PATH ? -1 : 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The directories that may hold shipped vocabularies, in search order. */
static size_t vocab_dirs(const char *dirs[3])
{
    size_t n = 0;
    const char *env = getenv("TOK_VOCAB_DIR");
    if (env && *env)
        dirs[n++] = env;
#ifdef TOK_VOCAB_SOURCE_DIR
    dirs[n++] = TOK_VOCAB_SOURCE_DIR;
#endif
#ifdef TOK_VOCAB_INSTALL_DIR
    dirs[n++] = TOK_VOCAB_INSTALL_DIR;
#endif
    return n;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void cli_model_list_names(cli_str *s)
{
    char *names[MAX_NAMES];
    size_t count = 0;
    const char *dirs[3];
    size_t ndirs = vocab_dirs(dirs);
    for (size_t d = 0; d < ndirs; d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir)) != NULL && count < MAX_NAMES) {
            char sub[MAX_PATH], file[MAX_PATH];
            if (e->d_name[0] == '.' || join(sub, dirs[d], e->d_name) ||
                join(file, sub, "tokenizer.json") || !is_file(file))
                continue;
            int seen = 0;
            for (size_t i = 0; i < count && !seen; i++)
                seen = strcmp(names[i], e->d_name) == 0;
            if (seen)
                continue;
            names[count] = malloc(strlen(e->d_name) + 1);
            if (!names[count])
                break;
            strcpy(names[count++], e->d_name);
        }
        closedir(dir);
    }
    qsort(names, count, sizeof names[0], compare_names);
    for (size_t i = 0; i < count; i++) {
        if (i)
            cli_str_puts(s, ", ");
        cli_str_puts(s, names[i]);
        free(names[i]);
    }
}

static void report(const char *path, const tok_error *err)
{
    /* The library's messages usually start with the file already. */
    size_t n = strlen(path);
    if (strncmp(err->message, path, n) == 0 && err->message[n] == ':')
        cli_error("%s", err->message);
    else if (err->message[0])
        cli_error("%s: %s", path, err->message);
    else
        cli_error("%s: %s", path, tok_strerror(err->code));
}

static int load_bert(tok_tokenizer **out, const char *path,
                     const cli_model_opts *mo)
{
    tok_bert_options bo = TOK_BERT_OPTIONS_INIT;
    tok_error err = {0};
    bo.lowercase = mo->lowercase != 0;
    if (tok_tokenizer_from_bert_vocab(out, path, &bo, &err) != TOK_OK) {
        report(path, &err);
        return CLI_EXIT_DATA;
    }
    return 0;
}

static int load_gpt2(tok_tokenizer **out, const char *path)
{
    char dir[MAX_PATH], merges[MAX_PATH];
    tok_error err = {0};
    size_t n = (size_t)(base_name(path) - path);
    if (n == 0) {
        strcpy(dir, ".");
    } else {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    if (join(merges, dir, "merges.txt") != 0 || !is_file(merges)) {
        if (join(merges, dir, "vocab.bpe") != 0 || !is_file(merges)) {
            cli_error("%s: a GPT-2 vocabulary needs merges.txt (or "
                      "vocab.bpe) in the same directory", path);
            return CLI_EXIT_DATA;
        }
    }
    if (tok_tokenizer_from_gpt2_files(out, path, merges, NULL, &err) !=
        TOK_OK) {
        report(path, &err);
        return CLI_EXIT_DATA;
    }
    return 0;
}

/* A .tiktoken file keeps only the ranks; the split pattern and the
 * special tokens come from special_tokens.json beside it. */
static int load_tiktoken(tok_tokenizer **out, const char *path)
{
    char dir[MAX_PATH], specials[MAX_PATH];
    tok_error err = {0};
    size_t n = (size_t)(base_name(path) - path);
    if (n == 0) {
        strcpy(dir, ".");
    } else {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    if (join(specials, dir, "special_tokens.json") != 0 ||
        !is_file(specials)) {
        cli_error("%s: a tiktoken vocabulary needs special_tokens.json "
                  "(its pat_str and special_tokens) in the same directory",
                  path);
        return CLI_EXIT_DATA;
    }
    tok_tiktoken_options to = TOK_TIKTOKEN_OPTIONS_INIT;
    to.special_tokens_json = specials;
    if (tok_tokenizer_from_tiktoken(out, path, &to, &err) != TOK_OK) {
        report(path, &err);
        return CLI_EXIT_DATA;
    }
    return 0;
}

static int load_file(tok_tokenizer **out, const char *path,
                     const cli_model_opts *mo)
{
    const char *base = base_name(path);
    int is_bert = ends_with(base, ".txt");
    if (mo->lowercase >= 0 && !is_bert) {
        cli_error("--%s applies to a BERT vocab.txt only, and %s is not "
                  "one", mo->lowercase ? "lowercase" : "cased", path);
        return CLI_EXIT_USAGE;
    }
    snprintf(loaded_path, sizeof loaded_path, "%s", path);
    if (is_bert)
        return load_bert(out, path, mo);
    if (strcmp(base, "vocab.json") == 0 || strcmp(base, "encoder.json") == 0)
        return load_gpt2(out, path);
    if (ends_with(base, ".tiktoken"))
        return load_tiktoken(out, path);
    tok_error err = {0};
    if (tok_tokenizer_load(out, path, &err) != TOK_OK) {
        report(path, &err);
        return CLI_EXIT_DATA;
    }
    return 0;
}

/* The one file of the directory whose name ends in .tiktoken: 1 when
 * found (path filled), 0 when there is none, -1 when there are several. */
static int find_tiktoken(const char *dir, char path[MAX_PATH])
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char p[MAX_PATH];
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".tiktoken") ||
            join(p, dir, e->d_name) || !is_file(p))
            continue;
        if (found++) {
            found = -1;
            break;
        }
        strcpy(path, p);
    }
    closedir(d);
    return found;
}

static int load_dir(tok_tokenizer **out, const char *dir,
                    const cli_model_opts *mo)
{
    static const char *const files[] = {"tokenizer.json", "vocab.txt",
                                        "vocab.json"};
    char path[MAX_PATH];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (join(path, dir, files[i]) == 0 && is_file(path))
            return load_file(out, path, mo);
    int tiktoken = find_tiktoken(dir, path);
    if (tiktoken > 0)
        return load_file(out, path, mo);
    if (tiktoken < 0) {
        cli_error("%s: several .tiktoken files in this directory; name "
                  "one", dir);
        return CLI_EXIT_DATA;
    }
    cli_error("%s: no tokenizer.json, vocab.txt, vocab.json or .tiktoken "
              "file in this directory", dir);
    return CLI_EXIT_DATA;
}

int cli_model_load(tok_tokenizer **out, const cli_model_opts *mo)
{
    const char *m = mo->model ? mo->model : CLI_DEFAULT_MODEL;
    *out = NULL;
    loaded_path[0] = '\0';
    if (!*m) {
        cli_error("-m needs a model name or path, not an empty string");
        return CLI_EXIT_USAGE;
    }
    if (is_dir(m))
        return load_dir(out, m, mo);
    if (exists(m))
        return load_file(out, m, mo);
    if (!strchr(m, '/')) {
        const char *dirs[3];
        size_t ndirs = vocab_dirs(dirs);
        for (size_t d = 0; d < ndirs; d++) {
            char sub[MAX_PATH], path[MAX_PATH];
            if (join(sub, dirs[d], m) == 0 &&
                join(path, sub, "tokenizer.json") == 0 && is_file(path))
                return load_file(out, path, mo);
        }
        cli_str names = CLI_STR_INIT;
        cli_model_list_names(&names);
        cli_error("%s: no such file, and no shipped vocabulary of that "
                  "name (shipped: %s)", m,
                  names.data && !names.failed ? names.data : "none found");
        free(names.data);
        return CLI_EXIT_DATA;
    }
    cli_error("%s: no such file or directory", m);
    return CLI_EXIT_DATA;
}

/* Writes the tokenizer to `path`, or to standard output for "-". */
int cli_model_save(const tok_tokenizer *tk, const char *path,
                   tok_error *err)
{
    if (strcmp(path, "-") != 0)
        return tok_tokenizer_save(tk, path, err);
    char *json;
    size_t len;
    int rc = tok_tokenizer_to_json(tk, &json, &len, err);
    if (rc)
        return rc;
    rc = cli_buf_add(&cli_stdout.buf, json, len) ||
         cli_buf_putc(&cli_stdout.buf, '\n');
    free(json);
    if (rc) {
        err->code = TOK_ENOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        return TOK_ENOMEM;
    }
    return TOK_OK;
}

/* A token given as an id or as its string (a number is an id).  Returns
 * the id, or -1 after a usage error. */
int32_t cli_token_option(const cli_command_spec *spec,
                         const tok_tokenizer *tk, const char *opt,
                         const char *value)
{
    size_t n = tok_vocab_size(tk);
    size_t k = strspn(value, "0123456789");
    if (*value && !value[k]) {
        uint64_t v = 0;
        for (const char *p = value; *p && v < n; p++)
            v = v * 10 + (uint64_t)(*p - '0');
        if (v >= n) {
            cli_usage_error(spec, "%s: id %s is out of range (the "
                            "vocabulary has %zu ids)", opt, value, n);
            return -1;
        }
        return (int32_t)v;
    }
    int32_t id = tok_token_to_id(tk, value, strlen(value));
    if (id < 0)
        cli_usage_error(spec, "%s: '%s' is not a token of the vocabulary",
                        opt, value);
    return id;
}
