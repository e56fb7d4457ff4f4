/**
 * The registries behind the endpoints: split runners, model layers, tasks, blocks, vDAGs and model plans. Each checks
 * a request in full, then writes it to the {@link io.strata.tables.Store}; nothing is kept in memory.
 */
package io.strata.functions.registry;
