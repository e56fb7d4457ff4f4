/**
 * The activation transport: binary frames (session, stage, step, positions, dtype, shape,
 * payload) over one persistent TCP connection per peer. No JSON on this path.
 */
package io.strata.mesh.transport;
