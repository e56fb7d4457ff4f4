/** Split runner servers on Kubernetes clusters: a Deployment and a NodePort Service per runner, created with Fabric8. */
package io.strata.functions.runner;
