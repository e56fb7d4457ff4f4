package io.strata.mesh.transport;

import java.io.IOException;

/** Sends frames to other nodes; {@link TcpTransport} is the real one. */
public interface FrameSender {
    void send(PeerAddress to, Frame frame) throws IOException;
}
