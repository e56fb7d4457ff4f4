/**
 * The seed's REST paths (Quarkus REST resources over the registries) and the HTTP-level answers every path shares:
 * errors, unknown paths, oversized bodies, all in the {@code {"success": false, "error"}} envelope.
 */
package io.strata.functions.http;
