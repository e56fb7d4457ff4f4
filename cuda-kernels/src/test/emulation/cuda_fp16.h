// Stands in for CUDA's header when the kernels are compiled for the CPU emulation.
#pragma once
#include "cuda_emulation.h"
