/**
 * A node's gateway: the OpenAI-compatible HTTP API, health and metrics, and the pipeline client
 * behind them, which opens a session along a path of stage replicas, streams its tokens, and
 * fails over to other replicas by replaying the session's tokens.
 */
package io.strata.mesh.gateway;
