package io.strata.functions.runner;

/**
 * Where a split runner was deployed: what DELETE must remove, and the node port its public URL uses.
 *
 * @param namespace  the namespace of both objects
 * @param deployment the Deployment's name
 * @param service    the NodePort Service's name
 * @param nodePort   the port opened on every node
 */
public record DeployedRunner(String namespace, String deployment, String service, int nodePort) {
}
