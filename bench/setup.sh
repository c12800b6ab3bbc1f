#!/usr/bin/env bash
# Install the peer tools into the bench cache if missing (idempotent; fast when done).
#   Debian: sentencepiece (spm_train/spm_encode/spm_decode), time (GNU /usr/bin/time), parallel
#   npm (into $CACHE/node, from bench/node/package.json + package-lock.json):
#     tokenizers@0.23.2 (HF, native), tiktoken-node@0.0.7 (tiktoken Rust core, native), tiktoken@1.0.22 (WASM)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_apt=()
command -v spm_train >/dev/null && command -v spm_decode >/dev/null || need_apt+=(sentencepiece)
[ -x /usr/bin/time ] || need_apt+=(time)
command -v parallel >/dev/null || need_apt+=(parallel)
command -v node >/dev/null && command -v npm >/dev/null || need_apt+=(nodejs npm)
command -v dpkg-deb >/dev/null || need_apt+=(dpkg)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "setup: apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq || log "setup: apt-get update failed; trying the existing lists"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >&2
fi

# npm packages: reinstall when bench/node/package*.json changed (stamp = their sha256)
mkdir -p "$NODE_DIR"
stamp=$(cat "$BENCH/node/package.json" $(ls "$BENCH/node/package-lock.json" 2>/dev/null) | sha256sum | cut -c1-16)
if [ "$(cat "$NODE_DIR/.stamp" 2>/dev/null)" != "$stamp" ] || [ ! -d "$NODE_DIR/node_modules/tokenizers" ]; then
  cp "$BENCH/node/package.json" "$NODE_DIR/"
  if [ -f "$BENCH/node/package-lock.json" ]; then
    cp "$BENCH/node/package-lock.json" "$NODE_DIR/"
    log "setup: npm ci in $NODE_DIR"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
  else
    log "setup: npm install in $NODE_DIR (no lock file yet)"
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error >&2)
  fi
  echo "$stamp" > "$NODE_DIR/.stamp"
fi
# quick smoke test of each peer (prints versions)
node -e '
const fs = require("fs"), path = require("path");
for (const m of ["tokenizers", "tiktoken", "tiktoken-node"]) {
  let v = "?";
  try { v = JSON.parse(fs.readFileSync(path.join(process.env.NODE_PATH, m, "package.json"))).version; require(m);
        console.error("setup: " + m + " " + v + " ok"); }
  catch (e) { console.error("setup: " + m + " " + v + " NOT usable: " + e.message.split("\n")[0]); }
}'
command -v spm_train >/dev/null && log "setup: sentencepiece $(dpkg-query -W -f='${Version}' sentencepiece 2>/dev/null) ok"
