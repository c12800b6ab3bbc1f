#!/usr/bin/env bash
# Build the benchmark corpus into $CACHE/corpus (deterministic; adapted from the shared peers recipe):
#   corpus.txt       ~90 MB of shuffled, deduplicated natural-text lines from 12 Debian packages
#   corpus-10mb.txt  first 10 MiB of whole lines of corpus.txt
#   corpus-stats.tsv per-source / per-script summary + sha256
# Packages are fetched with `apt-get download` and unpacked with dpkg-deb under the cache; nothing is installed.
# Skips all work when both files exist (use --force to rebuild).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
C=$CORPUS_DIR; DEBS=$C/debs; ROOT=$C/root; PARTS=$C/parts
if [ "${1:-}" != --force ] && [ -s "$C/corpus.txt" ] && [ -s "$C/corpus-10mb.txt" ]; then
  log "corpus: present in $C"; exit 0; fi
mkdir -p "$DEBS" "$PARTS"
# sha256 of the published build (shared/peers/corpus-stats.tsv)
SHA_FULL=142fd7636fa20f005cfbd708ea39b37251896457cef015582ed5683f9ab49b66
SHA_10MB=f0e2efd1ef27f36c308f0a9715ee2f86e331960632787e179ded5bc89bd295ee
PKGS="bible-kjv=4.38 bible-kjv-text=4.38 dict-gcide=0.48.5+nmu2 linux-doc-6.1=6.1.192-2
python3.11-doc=3.11.2-6+deb12u9 debian-handbook=11.20220922 fortunes=1:1.99.1-7.3
fortunes-de=0.35-1 fortunes-es=1.36 fortunes-it=1.99-4.1 fortunes-ru=1.52-3.1 fortunes-zh=2.98"
for pv in $PKGS; do
  p=${pv%%=*}
  if ! ls "$DEBS/${p}_"*.deb >/dev/null 2>&1; then
    log "corpus: apt-get download $pv"
    (cd "$DEBS" && { apt-get download "$pv" 2>/dev/null || { log "WARNING: $pv not available, taking the candidate of $p"; apt-get download "$p"; }; }) >&2
  fi
done
rm -rf "$ROOT"; mkdir -p "$ROOT"
for d in "$DEBS"/*.deb; do dpkg-deb -x "$d" "$ROOT"; done
for d in "$DEBS"/*.deb; do printf '%s\t%s\n' "$(dpkg-deb -f "$d" Package)" "$(dpkg-deb -f "$d" Version)"; done > "$C/corpus-sources.tsv"

log "corpus: extracting text"
# 1. King James Bible, one verse per line
"$ROOT/usr/bin/bible" -p "$ROOT/usr/lib" -l100000 "Gen1:1-Rev22:21" </dev/null > "$PARTS/01-kjv.txt"
# 2. GCIDE dictionary, bracket-only source tags dropped
zcat "$ROOT/usr/share/dictd/gcide.dict.dz" | grep -a -v -E '^[[:space:]]*\[[^]]*\][[:space:]]*$' > "$PARTS/02-gcide.txt"
# 3. Linux kernel 6.1 documentation sources (English + translations)
find "$ROOT/usr/share/doc/linux-doc-6.1/html/_sources" -type f -name '*.txt' | sort | xargs cat > "$PARTS/03-linux-doc.txt"
# 4. Python 3.11 documentation sources
find "$ROOT/usr/share/doc/python3.11/html/_sources" -type f -name '*.txt' | sort | xargs cat > "$PARTS/04-python-doc.txt"
# 5. The Debian Administrator's Handbook, HTML in 26 languages -> text
: > "$PARTS/05-debian-handbook.txt"
for lang in $(cd "$ROOT/usr/share/doc/debian-handbook/html" && ls -d ??-?? | sort); do
  node "$BENCH/tools/html2text.js" $(ls "$ROOT/usr/share/doc/debian-handbook/html/$lang"/*.html | sort) >> "$PARTS/05-debian-handbook.txt"
done
# 6. fortune cookies (en, de, es, it, ru, zh), no ASCII-art files
find "$ROOT/usr/share/games/fortunes" -type f ! -name '*.dat' ! -name 'ascii-art*' ! -name 'banner*' ! -name 'asciiart*' \
  | sort | xargs cat | grep -a -v '^%$' > "$PARTS/06-fortunes.txt"

log "corpus: dedup + shuffle"
node "$BENCH/tools/finalize-corpus.js" "$C" 10485760 20240601 "$PARTS"/0*.txt > "$C/corpus-stats.tsv"
( cd "$C" && sha256sum corpus.txt corpus-10mb.txt && wc -lc corpus.txt corpus-10mb.txt ) >> "$C/corpus-stats.tsv"
rm -rf "$ROOT" "$PARTS"     # keep only the .debs and the result
cat "$C/corpus-stats.tsv" >&2
check() { if [ "$(sha256sum < "$C/$1" | cut -d' ' -f1)" = "$2" ]; then log "corpus: $1 sha256 matches the published build";
          else log "WARNING: corpus: $1 sha256 differs from the published build (package versions changed?)"; fi; }
check corpus.txt $SHA_FULL; check corpus-10mb.txt $SHA_10MB
