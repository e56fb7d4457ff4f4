package io.strata.mesh.membership;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free TCP ports on 127.0.0.1 for a cluster on one machine (the demo's, the tests'), and the
 * peer list naming them. The ports are held together while they are picked, so they differ, and
 * released before they are returned: a caller races other processes for them, which on loopback
 * is a risk the demo and tests accept.
 */
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
                    // a port we only needed to learn its number
                }
            }
        }
    }

    public static List<String> peers(List<Integer> ports) {
        return ports.stream().map(p -> "127.0.0.1:" + p).toList();
    }
}
