package io.strata.mesh.cluster;

import io.strata.mesh.membership.MembershipConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a mesh node needs to join its cluster and take its share of the models.
 *
 * @param clusterName        nodes with the same cluster name (and secret) form one mesh
 * @param nodeId             this node's unique id
 * @param bindAddress        interface the cluster transport listens on
 * @param bindPort           cluster transport port (0: any free one)
 * @param portRange          how many ports after {@code bindPort} to try
 * @param peers              "host:port" of cluster members to contact (TCP discovery); ignored with multicast
 * @param multicastGroup     UDP multicast group for discovery and traffic, or null for TCP with {@code peers}
 * @param multicastPort      UDP multicast port
 * @param secret             cluster secret (authenticates members, encrypts traffic), or null for an open mesh
 * @param advertiseHost      address other nodes reach this node's data plane on (default: the bind address)
 * @param transportPort      activation transport port to announce
 * @param httpPort           gateway port to announce
 * @param device             "cpu" or the GPU's name, as announced
 * @param memoryBytes        memory this node offers for blocks; 0: the operating system's free memory at start
 * @param readBytesPerSecond weight-read speed to announce; 0: measured once at start
 * @param cacheDir           where fetched artifacts (and remote plans) are kept
 * @param plans              model plans to serve: paths or http(s)/s3/file URLs of *.plan.json
 * @param heartbeat          how often the node re-announces itself
 * @param missedHeartbeats   heartbeats missed before a node counts as unhealthy
 * @param joinTimeout        how long a joiner waits for the cluster to answer
 * @param failureTimeout     how long a silent member stays in the view
 */
public record ClusterConfig(String clusterName, String nodeId, String bindAddress, int bindPort, int portRange,
                            List<String> peers, String multicastGroup, int multicastPort, String secret,
                            String advertiseHost, int transportPort, int httpPort, String device, long memoryBytes,
                            double readBytesPerSecond, Path cacheDir, List<String> plans, Duration heartbeat,
                            int missedHeartbeats, Duration joinTimeout, Duration failureTimeout) {
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
    public static final int DEFAULT_MISSED_HEARTBEATS = 3;

    public ClusterConfig {
        peers = peers == null ? List.of() : List.copyOf(peers);
        plans = plans == null ? List.of() : List.copyOf(plans);
        advertiseHost = advertiseHost == null || advertiseHost.isBlank() ? bindAddress : advertiseHost;
        device = device == null || device.isBlank() ? "cpu" : device;
        heartbeat = heartbeat == null ? DEFAULT_HEARTBEAT : heartbeat;
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("the heartbeat interval must be positive, got " + heartbeat);
        }
        if (missedHeartbeats < 1) {
            throw new IllegalArgumentException("missed heartbeats must be at least 1, got " + missedHeartbeats);
        }
        if (memoryBytes < 0 || readBytesPerSecond < 0 || Double.isNaN(readBytesPerSecond)) {
            throw new IllegalArgumentException("node " + nodeId + ": memory and speed must be positive, or 0 to detect"
                    + " them; got " + memoryBytes + " bytes and " + readBytesPerSecond + " B/s");
        }
        if (transportPort < 0 || transportPort > 65535 || httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException("node " + nodeId + ": transport and HTTP ports must be 0-65535, got "
                    + transportPort + " and " + httpPort);
        }
        if (cacheDir == null) {
            throw new IllegalArgumentException("node " + nodeId + ": no artifact cache folder (--cache-dir)");
        }
        membership(clusterName, nodeId, bindAddress, bindPort, portRange, peers, multicastGroup, multicastPort, secret,
                joinTimeout, failureTimeout); // validates the cluster part with its own messages
    }

    /** The cluster-membership part of this configuration. */
    public MembershipConfig membership() {
        return membership(clusterName, nodeId, bindAddress, bindPort, portRange, peers, multicastGroup, multicastPort,
                secret, joinTimeout, failureTimeout);
    }

    /** How long a node may stay silent before it counts as unhealthy. */
    public Duration staleAfter() {
        return heartbeat.multipliedBy(missedHeartbeats).plus(heartbeat.dividedBy(2));
    }

    private static MembershipConfig membership(String clusterName, String nodeId, String bindAddress, int bindPort,
                                               int portRange, List<String> peers, String multicastGroup,
                                               int multicastPort, String secret, Duration join, Duration failure) {
        return new MembershipConfig(clusterName, nodeId, bindAddress, bindPort, portRange, peers, multicastGroup,
                multicastPort, secret, join, failure);
    }

    public static Builder builder(String clusterName, String nodeId) {
        return new Builder(clusterName, nodeId);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "ClusterConfig[cluster=" + clusterName + ", node=" + nodeId + ", bind=" + bindAddress + ":" + bindPort
                + (multicastGroup != null ? ", multicast=" + multicastGroup + ":" + multicastPort : ", peers=" + peers)
                + ", secret=" + (secret == null ? "none" : "set") + ", advertise=" + advertiseHost + " transport "
                + transportPort + " http " + httpPort + ", device=" + device + ", memory=" + memoryBytes + ", speed="
                + readBytesPerSecond + ", cache=" + cacheDir + ", plans=" + plans + "]";
    }

    /**
     * Defaults: this machine's first site-local IPv4 address (else loopback) port 7800, TCP with no
     * peers, no secret, detected memory and speed, artifacts in ~/.strata/cache, 2 s heartbeat.
     */
    public static final class Builder {
        private final String clusterName;
        private final String nodeId;
        private String bindAddress = defaultBindAddress();
        private int bindPort = 7800;
        private int portRange = 0;
        private List<String> peers = List.of();
        private String multicastGroup;
        private int multicastPort;
        private String secret;
        private String advertiseHost;
        private int transportPort;
        private int httpPort;
        private String device = "cpu";
        private long memoryBytes;
        private double readBytesPerSecond;
        private Path cacheDir = Path.of(System.getProperty("user.home"), ".strata", "cache");
        private List<String> plans = List.of();
        private Duration heartbeat = DEFAULT_HEARTBEAT;
        private int missedHeartbeats = DEFAULT_MISSED_HEARTBEATS;
        private Duration joinTimeout;
        private Duration failureTimeout;

        private Builder(String clusterName, String nodeId) {
            this.clusterName = clusterName;
            this.nodeId = nodeId;
        }

        public Builder bind(String address, int port) {
            this.bindAddress = address;
            this.bindPort = port;
            return this;
        }

        public Builder portRange(int range) {
            this.portRange = range;
            return this;
        }

        public Builder peers(List<String> hostPorts) {
            this.peers = hostPorts;
            return this;
        }

        public Builder multicast(String group, int port) {
            this.multicastGroup = group;
            this.multicastPort = port;
            return this;
        }

        public Builder secret(String clusterSecret) {
            this.secret = clusterSecret;
            return this;
        }

        public Builder advertise(String host, int transport, int http) {
            this.advertiseHost = host;
            this.transportPort = transport;
            this.httpPort = http;
            return this;
        }

        public Builder device(String name) {
            this.device = name;
            return this;
        }

        public Builder memoryBytes(long bytes) {
            this.memoryBytes = bytes;
            return this;
        }

        public Builder readBytesPerSecond(double speed) {
            this.readBytesPerSecond = speed;
            return this;
        }

        public Builder cacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        public Builder plans(List<String> pathsOrUrls) {
            this.plans = pathsOrUrls;
            return this;
        }

        public Builder heartbeat(Duration interval, int missedBeforeUnhealthy) {
            this.heartbeat = interval;
            this.missedHeartbeats = missedBeforeUnhealthy;
            return this;
        }

        public Builder timeouts(Duration join, Duration failure) {
            this.joinTimeout = join;
            this.failureTimeout = failure;
            return this;
        }

        /** The address a peer on the local network most likely reaches this machine on. */
        static String defaultBindAddress() {
            try {
                for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                    if (!nic.isUp() || nic.isLoopback()) {
                        continue;
                    }
                    for (var a : java.util.Collections.list(nic.getInetAddresses())) {
                        if (a instanceof java.net.Inet4Address && a.isSiteLocalAddress()) {
                            return a.getHostAddress();
                        }
                    }
                }
            } catch (java.net.SocketException e) {
                // fall through to loopback: a one-machine mesh still works
            }
            return "127.0.0.1";
        }

        public ClusterConfig build() {
            return new ClusterConfig(clusterName, nodeId, bindAddress, bindPort, portRange, peers, multicastGroup,
                    multicastPort, secret, advertiseHost, transportPort, httpPort, device, memoryBytes,
                    readBytesPerSecond, cacheDir, plans, heartbeat, missedHeartbeats, joinTimeout, failureTimeout);
        }
    }
}
