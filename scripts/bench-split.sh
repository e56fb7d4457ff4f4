#!/usr/bin/env bash
# Splitting benchmark: time to split a model into N artifacts with a small heap, against one
# plain read-and-MD5 pass over the same file (md5sum). Both runs read the file from the page
# cache (a warm-up pass comes first), so the ratio measures our writing, not the disk.
#
#   scripts/bench-split.sh [MODEL] [STAGES] [HEAP]
#   default: the synthetic TinyLlama-1.1B F32 model from `strata bench`, 4 stages, -Xmx256m
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODEL="${1:-$HOME/.cache/strata/synthetic/tinyllama-1.1b-f32.gguf}"
STAGES="${2:-4}"
HEAP="${3:--Xmx256m}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

if [[ ! -f "$MODEL" ]]; then
  echo "writing the synthetic model first: $MODEL" >&2
  "$ROOT/strata" synth --shape tinyllama-1.1b --encoding F32 --out "$MODEL" --quiet >&2
fi
"$ROOT/strata" build >/dev/null 2>&1 || true
cat "$MODEL" > /dev/null   # warm the page cache for both contenders

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }

MD5=$(seconds md5sum "$MODEL")
SPLIT=$(STRATA_JAVA_OPTS="$HEAP" seconds "$ROOT/strata" split --model "$MODEL" --stages "$STAGES" --out "$OUT")
printf 'model          %s (%s bytes)\n' "$MODEL" "$(stat -c %s "$MODEL")"
printf 'md5sum         %.2f s\n' "$MD5"
printf 'strata split   %.2f s  (%d stages, %s)\n' "$SPLIT" "$STAGES" "$HEAP"
printf 'ratio          %.2f x md5sum\n' "$(echo "$SPLIT / $MD5" | bc -l)"
