/**
 * The control plane's own lifetime: stopping with the process that started it.
 */
package io.strata.functions.lifecycle;
