package io.strata.mesh.membership;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a node joins the mesh's JGroups cluster.
 *
 * <p>Discovery is TCP with a static peer list when {@code multicastGroup} is null, else UDP
 * multicast on {@code multicastGroup:multicastPort}. With a {@code secret}, members must prove
 * they hold it to join and all traffic is encrypted with a key derived from it.
 *
 * @param clusterName     members of the same name form one cluster
 * @param nodeId          this node's name in the views (unique in the cluster)
 * @param bindAddress     interface to listen on ("127.0.0.1" in tests)
 * @param bindPort        TCP/UDP port to listen on; 0 picks a free one
 * @param portRange       how many ports after {@code bindPort} to try when it is taken
 * @param peers           TCP only: "host:port" of the members to contact first (include yourself or not)
 * @param multicastGroup  UDP only: the multicast group address, or null for TCP
 * @param multicastPort   UDP only: the multicast port
 * @param secret          the cluster secret, or null for an open (unauthenticated, unencrypted) cluster
 * @param joinTimeout     how long a joiner waits for answers before founding the cluster itself
 * @param failureTimeout  how long a silent member stays in the view before it is suspected
 */
public record MembershipConfig(String clusterName, String nodeId, String bindAddress, int bindPort, int portRange,
                               List<String> peers, String multicastGroup, int multicastPort, String secret,
                               Duration joinTimeout, Duration failureTimeout) {
    public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(10);

    public MembershipConfig {
        if (clusterName == null || clusterName.isBlank()) {
            throw new IllegalArgumentException("a cluster needs a name (--cluster)");
        }
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("a node needs an id (--node-id)");
        }
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("node " + nodeId + ": no bind address; use 127.0.0.1 for one machine"
                    + " or the address other nodes reach this one on");
        }
        if (bindAddress.equals("0.0.0.0") || bindAddress.equals("::") || bindAddress.equals("[::]")) {
            throw new IllegalArgumentException("node " + nodeId + ": bind address " + bindAddress + " is a wildcard, but"
                    + " members tell each other the address they bound; give this machine's address as peers see it");
        }
        if (bindPort < 0 || bindPort > 65535 || portRange < 0) {
            throw new IllegalArgumentException("node " + nodeId + ": bind port must be 0-65535 and the port range"
                    + " at least 0, got " + bindPort + " and " + portRange);
        }
        peers = peers == null ? List.of() : List.copyOf(peers);
        peers.forEach(MembershipConfig::parsePeer);
        if (multicastGroup != null && (multicastPort <= 0 || multicastPort > 65535)) {
            throw new IllegalArgumentException("node " + nodeId + ": multicast group " + multicastGroup
                    + " needs a port 1-65535, got " + multicastPort);
        }
        if (secret != null && secret.length() < ClusterSecret.MIN_LENGTH) {
            throw new IllegalArgumentException("the cluster secret must be at least " + ClusterSecret.MIN_LENGTH
                    + " characters, got " + secret.length() + " — use a long random string shared by all nodes");
        }
        joinTimeout = positive(joinTimeout == null ? DEFAULT_JOIN_TIMEOUT : joinTimeout, "join timeout");
        failureTimeout = positive(failureTimeout == null ? DEFAULT_FAILURE_TIMEOUT : failureTimeout, "failure timeout");
    }

    /** A TCP cluster with a static peer list, no secret, default timeouts. */
    public static MembershipConfig tcp(String clusterName, String nodeId, String bindAddress, int bindPort,
                                       List<String> peers) {
        return new MembershipConfig(clusterName, nodeId, bindAddress, bindPort, 0, peers, null, 0, null, null, null);
    }

    public MembershipConfig withSecret(String newSecret) {
        return new MembershipConfig(clusterName, nodeId, bindAddress, bindPort, portRange, peers, multicastGroup,
                multicastPort, newSecret, joinTimeout, failureTimeout);
    }

    public MembershipConfig withTimeouts(Duration join, Duration failure) {
        return new MembershipConfig(clusterName, nodeId, bindAddress, bindPort, portRange, peers, multicastGroup,
                multicastPort, secret, join, failure);
    }

    public boolean multicast() {
        return multicastGroup != null;
    }

    /** The peers as socket addresses. */
    public List<InetSocketAddress> peerAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String p : peers) {
            out.add(parsePeer(p));
        }
        return out;
    }

    /** "host:port" or JGroups' "host[port]". */
    static InetSocketAddress parsePeer(String peer) {
        String s = peer == null ? "" : peer.strip();
        String host;
        String port;
        if (s.endsWith("]") && s.contains("[")) {
            host = s.substring(0, s.indexOf('['));
            port = s.substring(s.indexOf('[') + 1, s.length() - 1);
        } else if (s.lastIndexOf(':') > 0) {
            host = s.substring(0, s.lastIndexOf(':'));
            port = s.substring(s.lastIndexOf(':') + 1);
        } else {
            throw new IllegalArgumentException("peer \"" + peer + "\" has no port; write it as host:port, like 10.0.0.5:7800");
        }
        try {
            int p = Integer.parseInt(port);
            if (p <= 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return InetSocketAddress.createUnresolved(host.replaceAll("^\\[|]$", ""), p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("peer \"" + peer + "\" has port \"" + port + "\"; it must be 1-65535");
        }
    }

    private static Duration positive(Duration d, String what) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("the " + what + " must be positive, got " + d);
        }
        return d;
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "MembershipConfig[cluster=" + clusterName + ", node=" + nodeId + ", bind=" + bindAddress + ":" + bindPort
                + (multicast() ? ", multicast=" + multicastGroup + ":" + multicastPort : ", peers=" + peers)
                + ", secret=" + (secret == null ? "none" : "set") + "]";
    }
}
