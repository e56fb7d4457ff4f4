/** The shapes every endpoint shares: the seed's success/error envelope, refusals with their status, strict JSON bodies. */
package io.strata.functions.api;
