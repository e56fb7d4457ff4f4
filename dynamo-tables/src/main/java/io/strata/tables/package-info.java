/**
 * The control plane's tables and stores (DynamoDB and embedded); filled in by the control-plane work.
 */
package io.strata.tables;
