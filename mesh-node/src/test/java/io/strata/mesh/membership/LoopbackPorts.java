package io.strata.mesh.membership;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free TCP ports on 127.0.0.1 for test clusters, and the peer list naming them. */
public final class LoopbackPorts {
    private LoopbackPorts() {
    }

    public static List<Integer> free(int n) {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return held.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // a test port we no longer need
                }
            }
        }
    }

    public static List<String> peers(List<Integer> ports) {
        return ports.stream().map(p -> "127.0.0.1:" + p).toList();
    }
}
