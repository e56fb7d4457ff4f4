package io.strata.mesh.node;

import io.strata.mesh.RoutingTable;
import io.strata.mesh.transport.BadFrameException;
import io.strata.mesh.transport.Frame;
import io.strata.mesh.transport.FrameCodec;
import io.strata.mesh.transport.FrameType;
import io.strata.mesh.transport.SessionOpen;
import io.strata.mesh.transport.WireDType;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A process outside the cluster that connects to stage 0's transport with a raw socket and sends
 * a well-formed OPEN and prompt naming its own listener as the gateway and as stage 1: what
 * frames it gets back on its socket, and whether any node connected to its listener.
 */
final class StrangerProbe {
    record Outcome(List<FrameType> framesBack, boolean dialled) {
    }

    private StrangerProbe() {
    }

    static Outcome probe(RoutingTable.ModelRoute route) throws IOException {
        RoutingTable.Endpoint stage0 = route.stages().get(0).replicas().getFirst();
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             Socket raw = new Socket(InetAddress.getLoopbackAddress(), stage0.transportPort())) {
            SessionOpen.Hop me = new SessionOpen.Hop("", "stranger", "127.0.0.1", listener.getLocalPort());
            List<SessionOpen.Hop> path = new ArrayList<>();
            path.add(new SessionOpen.Hop(route.stages().get(0).blockId(), stage0.nodeId(), stage0.host(),
                    stage0.transportPort()));
            for (int i = 1; i < route.stages().size(); i++) {
                path.add(new SessionOpen.Hop(route.stages().get(i).blockId(), "stranger", "127.0.0.1",
                        listener.getLocalPort()));
            }
            SessionOpen open = new SessionOpen(route.modelId(), path, me, 0, 1, 0, 8, 64, new int[0], WireDType.F32);
            raw.getOutputStream().write(FrameCodec.encode(Frame.open(42, 0, open)));
            raw.getOutputStream().write(FrameCodec.encode(Frame.tokens(42, 0, 0, new int[]{1, 403, 407}, true)));
            raw.getOutputStream().flush();
            List<FrameType> back = new ArrayList<>();
            raw.setSoTimeout(3000);
            try {
                while (true) {
                    back.add(FrameCodec.read(raw.getInputStream()).type());
                }
            } catch (SocketTimeoutException | EOFException | SocketException | BadFrameException e) {
                // quiet for 3 s, or hung up on
            }
            listener.setSoTimeout(1000);
            boolean dialled;
            try (Socket ignored = listener.accept()) {
                dialled = true;
            } catch (SocketTimeoutException e) {
                dialled = false;
            }
            return new Outcome(back, dialled);
        }
    }
}
