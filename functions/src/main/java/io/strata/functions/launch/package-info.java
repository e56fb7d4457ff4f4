/**
 * Split jobs: the request check, the task they report to, and the two ways to run them — a child JVM on this machine
 * or a Kubernetes Job — each given the split job's environment (TASK_ID, TASK_DATA and the control plane's URLs).
 */
package io.strata.functions.launch;
