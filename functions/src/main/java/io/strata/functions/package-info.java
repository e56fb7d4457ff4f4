/**
 * The control plane's Quarkus Funqy functions; filled in by the control-plane work.
 */
package io.strata.functions;
