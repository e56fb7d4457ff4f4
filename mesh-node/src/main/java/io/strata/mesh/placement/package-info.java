/**
 * Which node serves which block, and the routing table built from what nodes report ready:
 * pure functions of plans and announcements, with no networking.
 */
package io.strata.mesh.placement;
