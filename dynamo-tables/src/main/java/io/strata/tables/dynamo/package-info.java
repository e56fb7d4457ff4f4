/**
 * The store over DynamoDB (AWS SDK v2, client passed in): items as AttributeValues, filters as FilterExpressions,
 * updates as conditional UpdateExpressions — every name and value a placeholder, never text from the request.
 */
package io.strata.tables.dynamo;
