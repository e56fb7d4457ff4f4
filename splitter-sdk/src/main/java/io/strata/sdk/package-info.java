/**
 * The splitter SDK of the seed, in Java: the split job's context, its begin/main/finish
 * lifecycle and executor, the task-status, model-layer and block registry clients, and the
 * file tools a split job needs (download, S3 transfer, layer hashes).
 */
package io.strata.sdk;
