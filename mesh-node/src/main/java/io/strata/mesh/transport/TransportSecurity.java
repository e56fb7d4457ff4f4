package io.strata.mesh.transport;

/**
 * Who this transport is and whom it deals with. With a key (derived from the cluster secret),
 * every connection starts with a mutual proof of the key ({@link Handshake}) naming both nodes,
 * and every frame after it is sealed with AES-GCM ({@link SealedFrames}). Without one, frames go
 * in the clear and the node must listen on loopback only: then the machine's own processes are
 * the only ones who can reach it.
 *
 * @param nodeId    this node's id, proven to peers in the handshake
 * @param key       32-byte transport key, or null for none (loopback only)
 * @param admission current members and their advertised transport addresses
 */
public record TransportSecurity(String nodeId, byte[] key, PeerAdmission admission) {
    public TransportSecurity {
        if (nodeId == null || nodeId.isEmpty() || nodeId.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("a transport needs a node id of 1-255 bytes, got " + nodeId);
        }
        if (key != null && key.length != 32) {
            throw new IllegalArgumentException("a transport key is 32 bytes, got " + key.length);
        }
        if (admission == null) {
            throw new IllegalArgumentException("a transport needs to know the cluster's members");
        }
        key = key == null ? null : key.clone();
    }

    /** No key, everyone admitted: a transport used alone on loopback (tests, benchmarks). */
    public static TransportSecurity open(String nodeId) {
        return new TransportSecurity(nodeId, null, PeerAdmission.ANYONE);
    }

    public boolean sealed() {
        return key != null;
    }

    @Override
    public String toString() {
        return "TransportSecurity[" + nodeId + (key == null ? ", no key" : ", sealed") + "]";
    }
}
