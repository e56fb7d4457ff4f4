/**
 * The control plane's data: the five tables ({@link io.strata.tables.Tables}), the {@link io.strata.tables.Store}
 * every control-plane function keeps its state in, and the errors a store answers with.
 *
 * <p>Sub-packages: {@code json} (canonical numbers, equality and the rules every stored item follows),
 * {@code query} (Mongo-style filters and updates parsed into one typed tree and evaluated on JSON),
 * {@code dynamo} (the store over DynamoDB), {@code embedded} (the store in a local directory), {@code terraform}
 * (the DynamoDB tables as Terraform, generated from the same definitions).
 */
package io.strata.tables;
