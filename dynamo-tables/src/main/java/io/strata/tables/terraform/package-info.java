/** The DynamoDB tables as Terraform (JSON syntax), generated from {@link io.strata.tables.Tables} so they are never written twice. */
package io.strata.tables.terraform;
