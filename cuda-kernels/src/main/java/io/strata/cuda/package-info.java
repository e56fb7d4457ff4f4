/**
 * The CUDA driver as small Java objects: the probe, a device context, device buffers, streams,
 * PTX modules and typed kernel launches, over the jextract bindings in {@code io.strata.cuda.driver}.
 * Knows nothing about transformers; the kernels it launches are named for their math.
 */
package io.strata.cuda;
