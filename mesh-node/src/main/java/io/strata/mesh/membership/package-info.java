/**
 * Who is in the mesh: the JGroups cluster (TCP with static peers or UDP multicast), the cluster
 * secret that authenticates members and encrypts traffic, and the latest status heard from each node.
 */
package io.strata.mesh.membership;
