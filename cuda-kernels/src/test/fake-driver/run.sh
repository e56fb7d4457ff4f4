#!/bin/sh
# Runs the GPU tests with a fake libcuda.so.1 (fake_libcuda.cpp: host memory for device memory, the
# kernels' math as plain C loops, launches checked for their geometry and run at once). It checks the
# Java side of the GPU backend where there is no GPU: the bindings' symbol names and signatures, argument
# packing, buffers, cache addresses and launch order of GpuStageEngine. It says nothing about the real
# kernels (KernelsOnCpuEmulationTest and, on a GPU, KernelsMatchHostMathTest do).
#   cuda-kernels/src/test/fake-driver/run.sh     (needs g++; Maven options from $MAVEN_ARGS)
set -eu
root=$(cd "$(dirname "$0")/../../../.." && pwd)
out="$root/cuda-kernels/target/fake-driver"
mkdir -p "$out"
g++ -std=c++20 -O2 -shared -fPIC -w -o "$out/libcuda.so.1" "$root/cuda-kernels/src/test/fake-driver/fake_libcuda.cpp"
cd "$root"
STRATA_LIBCUDA="$out/libcuda.so.1" ./mvnw -B -q -pl cuda-kernels,mesh-node -am install -DskipTests
STRATA_LIBCUDA="$out/libcuda.so.1" ./mvnw -B -pl cuda-kernels,mesh-node surefire:test \
  -Dtest='KernelsMatchHostMathTest,GpuStageEngineTest' -Dsurefire.failIfNoSpecifiedTests=false
