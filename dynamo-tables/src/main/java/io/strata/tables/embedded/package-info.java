/**
 * The store in a local directory, the control plane's default when no DynamoDB is configured: one append-only,
 * checksummed, fsynced journal per table, replayed into memory on open and compacted when it grows.
 */
package io.strata.tables.embedded;
