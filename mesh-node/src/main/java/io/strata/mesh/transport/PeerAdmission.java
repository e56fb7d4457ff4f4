package io.strata.mesh.transport;

import java.util.Optional;

/**
 * Who the transport deals with: the cluster's current members and the transport addresses they
 * advertise. A node accepts connections only from members and dials only an address a member
 * advertises, so a frame naming some other host:port never makes it connect anywhere.
 */
public interface PeerAdmission {
    /** Admits everyone: for a transport used alone (tests, benchmarks), never for a node. */
    PeerAdmission ANYONE = new PeerAdmission() {
        @Override
        public Optional<String> memberAt(PeerAddress address) {
            return Optional.of("");
        }

        @Override
        public boolean isMember(String nodeId) {
            return true;
        }
    };

    /** Admits no one: a node's transport before it has joined its cluster. */
    PeerAdmission NOBODY = new PeerAdmission() {
        @Override
        public Optional<String> memberAt(PeerAddress address) {
            return Optional.empty();
        }

        @Override
        public boolean isMember(String nodeId) {
            return false;
        }
    };

    /**
     * The node id of the current member that advertises {@code address} as its transport address
     * (empty when none does); {@link #ANYONE} answers an empty id, which any peer matches.
     */
    Optional<String> memberAt(PeerAddress address);

    /** True when {@code nodeId} is in the cluster's current view. */
    boolean isMember(String nodeId);
}
