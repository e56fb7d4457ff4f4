package io.strata.mesh.node;

import io.strata.mesh.gateway.GatewaySessions;
import io.strata.mesh.pipeline.StageServer;
import io.strata.mesh.transport.Connection;
import io.strata.mesh.transport.Frame;
import io.strata.mesh.transport.FrameHandler;
import io.strata.mesh.transport.FrameType;
import io.strata.mesh.transport.PeerAddress;

import java.io.IOException;

/**
 * Sends each frame that reaches the node to its owner: frames for a session's gateway to the
 * gateway's sessions (an ERROR for a session this gateway does not own came back from a later
 * stage, and goes on to the session's own gateway), everything else to the stage server.
 */
final class FrameRouter implements FrameHandler {
    private volatile StageServer stages;
    private volatile GatewaySessions gateway;

    void wire(StageServer stages, GatewaySessions gateway) {
        this.stages = stages;
        this.gateway = gateway;
    }

    /** The widest hidden state of the blocks this node serves (0: none): what its frames may carry. */
    int widestHidden() {
        StageServer s = stages;
        return s == null ? 0 : s.widestHidden();
    }

    @Override
    public void onFrame(Frame f, Connection from) {
        StageServer s = stages;
        GatewaySessions g = gateway;
        if (s == null || g == null) {
            return; // still starting: nobody can have a session here yet
        }
        if (f.stage() == Frame.GATEWAY) {
            if (!g.deliver(f) && f.type() == FrameType.ERROR) {
                s.relayError(f);
            }
        } else {
            s.onFrame(f, from);
        }
    }

    @Override
    public void onPeerLost(PeerAddress peer, IOException cause) {
        StageServer s = stages;
        GatewaySessions g = gateway;
        if (s != null) {
            s.onPeerLost(peer);
        }
        if (g != null) {
            g.onPeerLost(peer);
        }
    }
}
