/**
 * The same operations as Funqy functions, {@code POST /<function>} with one JSON object in and the seed's envelope
 * out, so they deploy to AWS Lambda (quarkus-funqy-amazon-lambda) unchanged. Operations on one record take its key
 * in the input ({@code {"split_runner_id": ...}}), updates the Mongo update as {@code "update"}.
 */
package io.strata.functions.funqy;
