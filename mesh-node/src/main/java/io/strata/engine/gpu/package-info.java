/**
 * The stage engine on an NVIDIA GPU: weights uploaded once in their own encoding, each session's KV
 * cache on the device, the layer loop as launches of the cuda-kernels module's kernels. Only token ids
 * or hidden states, positions and cache addresses go in; hidden states or logits come out.
 */
package io.strata.engine.gpu;
