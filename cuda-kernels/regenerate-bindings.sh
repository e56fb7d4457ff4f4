#!/bin/sh
# Regenerates the Panama bindings of the CUDA driver API subset the GPU backend uses
# (src/main/java/io/strata/cuda/driver) from cuda.h.
#   usage: cuda-kernels/regenerate-bindings.sh [/path/to/jextract] [/path/to/cuda/include]
# jextract is not in any package registry: build it from github.com/openjdk/jextract (javac + libclang)
# outside this repository. No --library option on purpose: the generated code then resolves symbols
# through the class loader's lookup, so loading these classes never fails on a machine without the
# driver; io.strata.cuda.CudaDriverLibrary loads libcuda.so.1 first and says in one line when it cannot.
# CUDA 13 maps the API names to versioned symbols with #defines (cuMemAlloc -> cuMemAlloc_v2,
# cuMemcpyHtoD -> cuMemcpyHtoD_v2, ...): the filters name the symbols the library really exports.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
jextract=${1:-jextract}
include=${2:-/usr/local/cuda/include}
out="$here/src/main/java"
rm -rf "$out/io/strata/cuda/driver"
"$jextract" --output "$out" --target-package io.strata.cuda.driver --header-class-name CudaDriver \
  --include-function cuInit \
  --include-function cuDriverGetVersion \
  --include-function cuDeviceGetCount \
  --include-function cuDeviceGet \
  --include-function cuDeviceGetName \
  --include-function cuDeviceGetAttribute \
  --include-function cuDeviceTotalMem_v2 \
  --include-function cuDevicePrimaryCtxRetain \
  --include-function cuDevicePrimaryCtxRelease_v2 \
  --include-function cuCtxSetCurrent \
  --include-function cuCtxSynchronize \
  --include-function cuMemGetInfo_v2 \
  --include-function cuMemAlloc_v2 \
  --include-function cuMemFree_v2 \
  --include-function cuMemcpyHtoD_v2 \
  --include-function cuMemcpyDtoH_v2 \
  --include-function cuMemcpyDtoD_v2 \
  --include-function cuMemcpyHtoDAsync_v2 \
  --include-function cuMemcpyDtoHAsync_v2 \
  --include-function cuMemsetD8_v2 \
  --include-function cuStreamCreate \
  --include-function cuStreamDestroy_v2 \
  --include-function cuStreamSynchronize \
  --include-function cuModuleLoadData \
  --include-function cuModuleUnload \
  --include-function cuModuleGetFunction \
  --include-function cuLaunchKernel \
  --include-function cuGetErrorName \
  --include-function cuGetErrorString \
  --include-constant CUDA_SUCCESS \
  --include-constant CUDA_ERROR_NO_DEVICE \
  --include-constant CUDA_ERROR_OUT_OF_MEMORY \
  --include-constant CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR \
  --include-constant CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR \
  --include-constant CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT \
  --include-constant CU_STREAM_NON_BLOCKING \
  "$include/cuda.h"
