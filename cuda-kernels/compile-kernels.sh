#!/bin/sh
# Compiles every kernel source in src/main/cuda to the PTX committed beside it.
#   usage: cuda-kernels/compile-kernels.sh [OUT_DIR]   (default: src/main/cuda itself)
# PTX for compute_75 with CUDA 13: the driver JIT-compiles it for any GPU from Turing on, and a GPU
# host needs no toolkit. KernelPtxIsCurrentTest runs this into a temporary folder and compares.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src="$here/src/main/cuda"
out=${1:-$src}
nvcc=${NVCC:-nvcc}
mkdir -p "$out"
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  "$nvcc" -ptx -arch=compute_75 -o "$out/$name.ptx" "$cu"
done
