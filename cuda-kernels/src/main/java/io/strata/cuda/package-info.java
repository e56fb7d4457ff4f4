/**
 * CUDA kernels and their Panama bindings. The CPU engine does not need them; the GPU backend arrives with the mesh work.
 */
package io.strata.cuda;
