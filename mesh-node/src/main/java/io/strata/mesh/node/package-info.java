/**
 * A mesh node put together: the activation transport, the stage server for the blocks placed
 * here, the cluster membership that places and routes them, and the HTTP gateway.
 */
package io.strata.mesh.node;
