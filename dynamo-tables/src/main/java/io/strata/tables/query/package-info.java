/**
 * Mongo-style filters and updates: parsed once into small typed trees ({@link io.strata.tables.query.Filter},
 * {@link io.strata.tables.query.Update}) that every store evaluates — in Java here, or translated to DynamoDB
 * expressions in {@code io.strata.tables.dynamo}.
 */
package io.strata.tables.query;
