package io.strata.mesh.transport;

/** Where a node's transport listens. */
public record PeerAddress(String host, int port) {
    public PeerAddress {
        if (host == null || host.isBlank() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("a peer address needs a host and a port 1-65535, got " + host + ":" + port);
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
