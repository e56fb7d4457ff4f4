package io.strata.mesh.node;

import io.strata.mesh.cluster.ClusterConfig;
import io.strata.mesh.gateway.GatewayConfig;

import java.time.Duration;

/**
 * A mesh node's settings: its cluster side (where the transport and HTTP ports it announces
 * are filled in once they are bound), the ports of its data plane, and how its gateway and
 * stages behave.
 *
 * @param cluster       cluster membership, placement and artifact cache; its transport and HTTP
 *                      ports are replaced by the bound ones
 * @param bindAddress   interface the transport and the gateway listen on
 * @param transportPort activation transport port (0: any free one)
 * @param httpPort      gateway port (0: any free one)
 * @param gateway       how the gateway drives sessions (wire dtype, timeouts)
 * @param maxSessions   sessions this node's stages take before answering OVERLOADED
 * @param idleTimeout   a stage session with no traffic for this long is dropped
 * @param peerTimeout   a connection to a peer silent this long (heartbeats every quarter of it) is
 *                      closed as stalled and its sessions fail over; zero: no heartbeats
 */
public record NodeConfig(ClusterConfig.Builder cluster, String bindAddress, int transportPort, int httpPort,
                         GatewayConfig gateway, int maxSessions, Duration idleTimeout, Duration peerTimeout) {
    /**
     * Off by default: a stage's reader thread dials the session's next hop itself when an OPEN
     * arrives, and while it does (up to the connect and handshake timeouts) it answers no PING, so
     * a tight timeout can misjudge a healthy peer as stalled. Until dials leave the reader thread,
     * heartbeats are opt-in ({@code --peer-timeout-ms 2000} on a quiet network).
     */
    public static final Duration DEFAULT_PEER_TIMEOUT = Duration.ZERO;

    public NodeConfig(ClusterConfig.Builder cluster, String bindAddress, int transportPort, int httpPort,
                      GatewayConfig gateway, int maxSessions, Duration idleTimeout) {
        this(cluster, bindAddress, transportPort, httpPort, gateway, maxSessions, idleTimeout, DEFAULT_PEER_TIMEOUT);
    }

    public NodeConfig {
        if (transportPort < 0 || transportPort > 65535 || httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("transport and HTTP ports must be 0-65535, got " + transportPort + " and "
                    + httpPort);
        }
        if (peerTimeout == null || peerTimeout.isNegative()) {
            throw new IllegalArgumentException("the peer timeout must be ≥ 0, got " + peerTimeout);
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("max sessions must be ≥ 1, got " + maxSessions);
        }
    }
}
