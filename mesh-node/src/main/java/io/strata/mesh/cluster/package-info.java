/**
 * A mesh node's control side put together ({@link io.strata.mesh.cluster.ClusterNode}): join,
 * announce, coordinate placement and routing, load the blocks placed here.
 */
package io.strata.mesh.cluster;
