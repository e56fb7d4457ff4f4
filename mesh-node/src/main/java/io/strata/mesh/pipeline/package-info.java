/**
 * The stages a node serves: a stage server per node hosting its loaded blocks, each with a
 * worker that batches the sessions waiting for it into one forward pass, per-session KV caches,
 * sampling on the last stage, and forwarding along each session's path.
 */
package io.strata.mesh.pipeline;
