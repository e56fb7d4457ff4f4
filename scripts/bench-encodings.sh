#!/usr/bin/env bash
# Decode and prefill speed per encoding on the TinyLlama-1.1B shape, Strata beside llama.cpp on
# the same GGUF file and the same thread count, taken back to back so both see the same machine.
# Each encoding's synthetic model is written once into the bench cache and reused.
#
#   scripts/bench-encodings.sh [ENCODING...]        default: every encoding and the Q4_K_M mix
#   environment: PROMPT (64) DECODE (32) RUNS (2) THREADS (llama.cpp threads; Strata always uses every core,
#                so leave it at the core count) SHAPE (tinyllama-1.1b)
#                CACHE (~/.cache/strata/synthetic)
#
# Prints one row per encoding: decode and prefill tokens/s of both engines and the ratios.
# llama.cpp is ../shared/tools/llamacpp (node-llama-cpp); run `npm install --omit=optional` there once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LLAMACPP="${LLAMACPP:-$ROOT/../shared/tools/llamacpp}"
PROMPT="${PROMPT:-64}"
DECODE="${DECODE:-32}"
RUNS="${RUNS:-2}"
THREADS="${THREADS:-$(nproc)}"
SHAPE="${SHAPE:-tinyllama-1.1b}"
CACHE="${CACHE:-$HOME/.cache/strata/synthetic}"
if [[ $# -eq 0 ]]; then
  set -- F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K Q4_K Q5_K Q6_K IQ4_NL IQ4_XS Q4_K_M
fi
if [[ ! -d "$LLAMACPP/node_modules" ]]; then
  echo "error: $LLAMACPP/node_modules is missing — run: (cd $LLAMACPP && npm install --omit=optional --no-audit --no-fund)" >&2
  exit 2
fi
field() { python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])[sys.argv[1]])' "$1"; }
ratio() { python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f"{a / b:.2f}" if b else "-")' "$1" "$2"; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $SHAPE, $THREADS threads, prompt $PROMPT, decode $DECODE, best of $RUNS"
printf '%-8s %10s %10s %6s %11s %11s %6s\n' encoding "decode S" "decode L" ratio "prefill S" "prefill L" ratio
for enc in "$@"; do
  file="$CACHE/$(echo "$SHAPE" | tr -c 'A-Za-z0-9._\n-' _)-$(echo "$enc" | tr 'A-Z' 'a-z').gguf"
  if [[ ! -f "$file" ]]; then
    mkdir -p "$CACHE"
    "$ROOT/strata" synth --shape "$SHAPE" --encoding "$enc" --out "$file" --quiet >/dev/null
  fi
  strata=$("$ROOT/strata" bench --model "$file" --prompt-tokens "$PROMPT" \
      --decode-tokens "$DECODE" --runs "$RUNS" --json 2>/dev/null)
  llama=$(cd "$LLAMACPP" && node bench.mjs "$file" "$PROMPT" "$DECODE" "$THREADS" "$RUNS" 2>/dev/null)
  sd=$(echo "$strata" | field decode_tokens_per_second)
  sp=$(echo "$strata" | field prefill_tokens_per_second)
  ld=$(echo "$llama" | field decode)
  lp=$(echo "$llama" | field prefill)
  printf '%-8s %10.2f %10.2f %6s %11.2f %11.2f %6s\n' "$enc" "$sd" "$ld" "$(ratio "$sd" "$ld")" \
      "$sp" "$lp" "$(ratio "$sp" "$lp")"
done
