/**
 * JSON values as both stores keep them: numbers in one canonical form, equality and order the way DynamoDB compares
 * them, and the rules every stored item follows.
 */
package io.strata.tables.json;
