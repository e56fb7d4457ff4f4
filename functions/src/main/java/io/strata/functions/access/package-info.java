/** Who may call: a bearer token on every request when one is configured, and loopback only when none is. */
package io.strata.functions.access;
