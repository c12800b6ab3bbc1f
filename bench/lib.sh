# Common settings for bench/ scripts; sourced, not run.
# TOK_BENCH_CACHE: where peers, corpus, builds and results live (never inside the repo).
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${TOK_BENCH_CACHE:-$HOME/.cache/tok-bench}"
NPROC="$(nproc)"
export LC_ALL=C.UTF-8
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"
NODE_DIR="$CACHE/node"                 # package.json + node_modules copied/installed here
export NODE_PATH="$NODE_DIR/node_modules"
CORPUS_DIR="$CACHE/corpus"
log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
SUDO=; if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
