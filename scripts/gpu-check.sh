#!/usr/bin/env bash
# GPU check: everything about the CUDA backend that needs a real NVIDIA GPU, in one run (a few
# minutes on one GPU, most of it synthesising the 1.1B models the first time).
#
#   scripts/gpu-check.sh            (from anywhere; needs a JDK 25, nvidia driver >= 13.0, python3)
#
# 1. the probe: the device, or the reason there is none (then it stops, exit 1)
# 2. every kernel against the same math on the host, and the matrix products' batch independence
#    (cuda-kernels KernelsMatchHostMathTest)
# 3. the engine: llama2.c's reference-greedy tokens of stories260K whole, in 2 and 3 GPU stages, and
#    as a CPU stage chained with a GPU stage; chained GPU stages bit-identical to the whole model;
#    batch and prefill/decode bit identity; logits within 1e-3 of the CPU's in F32/F16/BF16/Q8_0/Q4_0
#    (mesh-node GpuStageEngineTest)
# 4. a mixed mesh: a `strata node --device cpu` and a `strata node --device cuda` serving a 2-stage
#    split of stories260K, one stage each; the greedy completion must equal `strata generate` on the CPU
# 5. prefill and decode tokens/s with effective device bandwidth on the TinyLlama-1.1B shape in
#    Q8_0, F16 and Q4_0 (`STRATA_DEVICE=cuda strata bench`), synthesised on this machine
#
# A check that is skipped (no GPU) counts as a failure here. Maven runs offline when
# GPU_CHECK_OFFLINE=1 (a machine without network needs the Maven repository warm or carried).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ -z "${JAVA_HOME:-}" ]]; then
  for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if [[ -x "$j/bin/java" ]]; then export JAVA_HOME="$j"; break; fi
  done
fi
JAVA="$JAVA_HOME/bin/java"
MVN=(./mvnw -B -q)
[[ -n "${GPU_CHECK_OFFLINE:-}" ]] && MVN+=(-o)
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
started=$(date +%s)

step "build"
"${MVN[@]}" -pl cuda-kernels,mesh-node -am install -DskipTests

step "probe"
if ! "$JAVA" --enable-native-access=ALL-UNNAMED -cp cuda-kernels/target/classes io.strata.cuda.CudaProbe; then
  echo "gpu-check: no usable GPU here, nothing was checked" >&2
  exit 1
fi

# Runs one test class and fails unless every test in it ran (none skipped) and passed.
run_tests() {
  local module=$1 test=$2
  if ! "${MVN[@]}" -pl "$module" surefire:test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false; then
    echo "gpu-check: $test failed; see $module/target/surefire-reports/" >&2
    exit 1
  fi
  local report="$module/target/surefire-reports/$(find "$module/target/surefire-reports" -name "*.$test.txt" -printf '%f\n' | head -1)"
  grep 'Tests run' "$report"
  if ! grep -q 'Skipped: 0' "$report"; then
    echo "gpu-check: $test skipped tests, so the GPU was not used; see $report" >&2
    exit 1
  fi
}

step "kernels against host math"
"${MVN[@]}" -pl cuda-kernels,mesh-node test-compile
run_tests cuda-kernels KernelsMatchHostMathTest

step "engine: reference greedy whole / 2 and 3 GPU stages / CPU+GPU, bit identity, CPU tolerance per encoding"
run_tests mesh-node GpuStageEngineTest

step "mixed mesh: a CPU node and a GPU node, one stage each"
MODEL="${STRATA_MODELS:-$ROOT/../shared/models}/stories260K.gguf"
./strata split --model "$MODEL" --stages 2 --out "$WORK/split" >/dev/null
PLAN="$WORK/split/stories260K.plan.json"
BUDGET=$(python3 -c "import json,sys; print(max(b['memory_bytes'] for b in json.load(open(sys.argv[1]))['blocks']))" "$PLAN")
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
CP_GPU=$(port); CP_CPU=$(port); HTTP=$(port)
PEERS="127.0.0.1:$CP_GPU,127.0.0.1:$CP_CPU"
CLUSTER="gpu-check-$$"
# The nodes read a FIFO that only this script holds open: when it exits, however, they see EOF and stop.
mkfifo "$WORK/stdin"
exec 3<>"$WORK/stdin"
./strata node --node-id gpu --device cuda --cluster "$CLUSTER" --cluster-port "$CP_GPU" --peers "$PEERS" \
  --memory "$BUDGET" --read-speed 1e10 --http-port 0 --cache-dir "$WORK/cache-gpu" --exit-with-stdin \
  < "$WORK/stdin" 3>&- > "$WORK/gpu.out" 2> "$WORK/gpu.log" &
PIDS+=($!)
sleep 5
./strata node --node-id cpu --device cpu --cluster "$CLUSTER" --cluster-port "$CP_CPU" --peers "$PEERS" \
  --memory "$BUDGET" --read-speed 1e10 --http-port "$HTTP" --cache-dir "$WORK/cache-cpu" --plans "$PLAN" \
  --exit-with-stdin < "$WORK/stdin" 3>&- > "$WORK/cpu.out" 2> "$WORK/cpu.log" &
PIDS+=($!)
python3 - "$HTTP" <<'PY'
import json, sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/health/models"
deadline = time.time() + 90
while time.time() < deadline:
    try:
        for m in json.load(urllib.request.urlopen(url, timeout=2)).get("models", []):
            nodes = {s["replicas"][0]["node_id"] for s in m.get("stages", []) if s.get("replicas")}
            if m.get("ready") and nodes == {"gpu", "cpu"}:
                print("routed: " + ", ".join(f"stage {i} on {s['replicas'][0]['node_id']}" for i, s in enumerate(m["stages"])))
                sys.exit(0)
    except Exception:
        pass
    time.sleep(0.5)
sys.exit("gpu-check: the mesh did not place one stage on each node within 90 s")
PY
[[ $? -eq 0 ]] || { tail -5 "$WORK/gpu.log" "$WORK/cpu.log" >&2; exit 1; }
EXPECTED=$(./strata generate --model "$MODEL" --prompt "Once upon a time" --max-tokens 48 --temperature 0 --json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["text"])')
GOT=$(curl -s "http://127.0.0.1:$HTTP/v1/completions" -H 'content-type: application/json' \
  -d '{"model": "stories260K", "prompt": "Once upon a time", "max_tokens": 48, "temperature": 0}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["choices"][0]["text"])')
if [[ "$GOT" != "$EXPECTED" ]]; then
  printf 'gpu-check: the mixed mesh wrote\n  %s\nbut the CPU alone writes\n  %s\n' "$GOT" "$EXPECTED" >&2
  exit 1
fi
echo "mixed mesh greedy completion equals the CPU's: $GOT"
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
PIDS=()
exec 3>&-

step "decode/prefill on the TinyLlama-1.1B shape (GPU)"
for enc in Q8_0 F16 Q4_0; do
  STRATA_DEVICE=cuda ./strata bench --synthetic tinyllama-1.1b --encoding "$enc" --runs 2 --bandwidth-buffer 256m
done

printf '\ngpu-check: all checks passed in %d s (%s)\n' "$(( $(date +%s) - started ))" "$(date -u +%FT%TZ)"
