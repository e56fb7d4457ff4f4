package io.strata.mesh.transport;

import java.io.IOException;

/** What a node does with the frames that reach its transport. */
public interface FrameHandler {
    /**
     * A frame arrived (never PING or PONG: the transport answers those itself). Called on the
     * connection's reader thread in arrival order, so keep it short: queue the work.
     */
    void onFrame(Frame frame, Connection from);

    /** The connection this node opened to {@code peer} closed or failed (the peer died, or left). */
    default void onPeerLost(PeerAddress peer, IOException cause) {
    }
}
