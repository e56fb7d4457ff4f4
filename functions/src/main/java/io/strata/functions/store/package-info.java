/** Which {@link io.strata.tables.Store} the control plane uses (embedded or DynamoDB) and its tables at start-up. */
package io.strata.functions.store;
