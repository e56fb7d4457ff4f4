/**
 * The control plane: registries (split runners, model layers, tasks, blocks, vDAGs) and split jobs, served both as
 * Quarkus Funqy functions ({@code POST /<function>}) and behind the seed's REST paths, with all state in a
 * {@link io.strata.tables.Store}.
 */
package io.strata.functions;
