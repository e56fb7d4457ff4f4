/**
 * A node's split artifacts: fetched into a cache, verified by size, SHA-256 and MD5 before they
 * are opened, and checked to be the split the plan names.
 */
package io.strata.mesh.artifacts;
