package io.strata.cli;

import io.strata.engine.DeviceChoice;
import io.strata.engine.StageEngines;
import io.strata.mesh.cluster.ClusterConfig;
import io.strata.mesh.gateway.GatewayConfig;
import io.strata.mesh.node.BlockRegistration;
import io.strata.mesh.node.MeshNode;
import io.strata.mesh.node.NodeConfig;
import io.strata.mesh.transport.WireDType;
import io.strata.split.ByteSizes;

import java.io.IOException;
import java.net.URI;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code strata node}: one mesh node in the foreground. It joins the cluster, serves the blocks
 * placed on it and answers the OpenAI-compatible API, until SIGTERM or Ctrl-C (or, with
 * {@code --exit-with-stdin}, until its standard input closes, so a parent that starts nodes
 * takes them down with it). Shutting down leaves the cluster and closes the sessions.
 */
final class NodeCommand extends OptionsCommand {
    static final String SECRET_ENV = "STRATA_CLUSTER_SECRET";

    @Override
    public String name() {
        return "node";
    }

    @Override
    public String summary() {
        return "run a mesh node: join a cluster, serve blocks, answer the OpenAI-compatible API";
    }

    @Override
    Options options() {
        return new Options("strata node [--cluster NAME] [--node-id ID] [--peers HOST:PORT,...] [--plans PLAN,...] [options]",
                """
                Runs a mesh node until SIGTERM or Ctrl-C. Nodes with the same cluster name and
                secret form a mesh; the oldest places the blocks of every served plan on the
                nodes whose memory holds them and publishes the routing table. Every node serves
                the OpenAI-compatible API (POST /v1/completions, /v1/chat/completions, GET
                /v1/models, /health, /health/models, /metrics) on its HTTP port. The cluster
                secret may also come from $STRATA_CLUSTER_SECRET.""")
                .value("cluster", "NAME", "cluster name", "strata")
                .value("node-id", "ID", "unique node id", "<host>-<pid>")
                .value("bind", "ADDRESS", "address the cluster, transport and gateway listen on", "127.0.0.1")
                .value("advertise", "HOST", "address other nodes reach this one on", "the bind address")
                .value("cluster-port", "N", "cluster membership port", "7800")
                .value("port-range", "N", "further cluster ports to try when taken", "0")
                .value("peers", "HOST:PORT,...", "cluster members to contact (TCP discovery)", null)
                .value("multicast", "GROUP:PORT", "UDP multicast discovery instead of --peers", null)
                .value("secret", "TEXT", "cluster secret (authenticates and encrypts; or $" + SECRET_ENV + ")", null)
                .value("memory", "SIZE", "memory offered for blocks, e.g. 8g (0: free memory)", "0")
                .value("read-speed", "BYTES_PER_S", "weight-read speed to announce, e.g. 20e9 (0: measure)", "0")
                .value("transport-port", "N", "activation transport port (0: any free)", "0")
                .value("http-port", "N", "gateway port (0: any free)", "8080")
                .value("cache-dir", "DIR", "artifact cache", "~/.strata/cache")
                .value("plans", "PLAN,...", "model plans to serve (*.plan.json paths or URLs)", null)
                .value("device", DeviceChoice.FORMS, "where this node's stages run (auto: the first GPU when usable, else the CPU)", "cpu")
                .value("wire-dtype", "TYPE", "hidden states between stages: f32 (exact), f16, bf16, q8", "f32")
                .value("heartbeat-ms", "N", "announcement interval", "2000")
                .value("max-sessions", "N", "sessions this node's stages hold before refusing more", "256")
                .value("stall-timeout-ms", "N", "no token for this long: the gateway fails over", "10000")
                .value("join-timeout-ms", "N", "a joiner waits this long for the cluster before founding its own", "2000")
                .value("failure-timeout-ms", "N", "a silent member is expelled after this long", "10000")
                .value("idle-timeout-ms", "N", "a stage session with no traffic for this long is dropped", "600000")
                .value("peer-timeout-ms", "N", "a peer silent this long (heartbeats included) is treated as stalled;"
                        + " 0: no heartbeats", "0")
                .value("control-plane", "URL", "register the blocks this node runs in this control plane's block DB", null)
                .flag("exit-with-stdin", "shut down when standard input closes (for parents that start nodes)");
    }

    @Override
    int run(Options.Parsed o, PrintStream out, PrintStream err) throws Exception {
        NodeConfig config = config(o);
        URI controlPlane = o.optional("control-plane").map(ControlPlaneUrl::parse).orElse(null);
        try {
            StageEngines.useDevice(DeviceChoice.parse(o.string("device")), line -> err.println("strata node: " + line));
        } catch (IllegalArgumentException e) {
            throw new CliException("--device " + o.string("device") + ": " + e.getMessage());
        }
        if (o.flag("exit-with-stdin")) {
            // watching from the start: a parent that dies while this node is still joining takes it down too
            Thread.ofPlatform().daemon().name("strata-stdin-watch").start(() -> {
                watch(System.in);
                System.exit(0); // runs the shutdown hook, once there is one
            });
        }
        MeshNode node;
        try {
            node = MeshNode.start(config);
        } catch (IOException e) {
            throw new CliException(e.getMessage(), 1);
        }
        BlockRegistration registration = controlPlane == null ? null : BlockRegistration.start(node, controlPlane);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            if (registration != null) {
                registration.close();
            }
            int sessions = node.stages().sessionCount() + node.client().active();
            node.close();
            // not through java.util.logging: its own shutdown hook may already have closed the handlers
            out.printf("node %s stopped: left cluster %s, closed %d session(s)%n", node.nodeId(),
                    node.cluster().config().clusterName(), sessions);
            out.flush();
            stopped.countDown();
        }, "strata-node-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("node %s listening: http %s:%d, transport %s:%d, pid %d%n", node.nodeId(), config.bindAddress(),
                node.httpPort(), config.bindAddress(), node.transportPort(), ProcessHandle.current().pid());
        out.flush();
        stopped.await();
        return 0;
    }

    private static void watch(InputStream in) {
        byte[] sink = new byte[256];
        try {
            while (in.read(sink) >= 0) {
                // whatever the parent writes is ignored; only the end matters
            }
        } catch (IOException e) {
            // a broken pipe is an end too
        }
    }

    static NodeConfig config(Options.Parsed o) {
        String nodeId = o.string("node-id").equals("<host>-<pid>") ? defaultNodeId() : o.string("node-id");
        String bind = o.string("bind");
        ClusterConfig.Builder cluster = ClusterConfig.builder(o.string("cluster"), nodeId)
                .bind(bind, port(o, "cluster-port"))
                .portRange(nonNegative(o, "port-range"))
                .cacheDir(Path.of(o.string("cache-dir").replaceFirst("^~", System.getProperty("user.home"))))
                .memoryBytes(size(o.string("memory"), "memory"))
                .readBytesPerSecond(speed(o.string("read-speed")))
                .heartbeat(Duration.ofMillis(positive(o, "heartbeat-ms")), ClusterConfig.DEFAULT_MISSED_HEARTBEATS);
        o.optional("peers").ifPresent(p -> cluster.peers(list(p)));
        o.optional("multicast").ifPresent(m -> {
            int colon = m.lastIndexOf(':');
            if (colon < 1) {
                throw new CliException("--multicast must be GROUP:PORT, e.g. 228.8.8.8:45588; got '" + m + "'");
            }
            cluster.multicast(m.substring(0, colon), parsePort(m.substring(colon + 1), "--multicast"));
        });
        cluster.timeouts(Duration.ofMillis(positive(o, "join-timeout-ms")),
                Duration.ofMillis(positive(o, "failure-timeout-ms")));
        String secret = o.optional("secret").orElse(System.getenv(SECRET_ENV));
        if (secret != null && !secret.isBlank()) {
            cluster.secret(secret);
        } else if (!loopback(bind)) {
            throw new CliException("--bind " + bind + " without a cluster secret would let anyone who can reach this"
                    + " machine read and drive the model's data plane; set --secret (or $" + SECRET_ENV + ") on every"
                    + " node, or bind 127.0.0.1");
        }
        String advertise = o.optional("advertise").filter(a -> !a.equals("the bind address")).orElse(bind);
        cluster.advertise(advertise, 0, 0);
        o.optional("plans").ifPresent(p -> cluster.plans(list(p)));
        WireDType wire;
        try {
            wire = WireDType.parseActivations(o.string("wire-dtype"));
        } catch (IllegalArgumentException e) {
            throw new CliException("--wire-dtype: " + e.getMessage());
        }
        GatewayConfig gateway = GatewayConfig.defaults().withWireDType(wire)
                .withStallTimeout(Duration.ofMillis(positive(o, "stall-timeout-ms")));
        try {
            cluster.build(); // refuses a bad cluster configuration now, with its own message
            return new NodeConfig(cluster, bind, port(o, "transport-port"), port(o, "http-port"), gateway,
                    positive(o, "max-sessions"), Duration.ofMillis(positive(o, "idle-timeout-ms")),
                    Duration.ofMillis(nonNegative(o, "peer-timeout-ms")));
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static boolean loopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false; // unresolvable: the bind itself will say so, but never unprotected
        }
    }

    static String defaultNodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "node";
        }
        return host.replaceAll("[^A-Za-z0-9_.-]", "-") + "-" + ProcessHandle.current().pid();
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static long size(String text, String option) {
        try {
            return ByteSizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliException("--" + option + ": " + e.getMessage());
        }
    }

    private static double speed(String text) {
        try {
            double v = Double.parseDouble(text);
            if (v >= 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        try {
            return ByteSizes.parse(text); // "20g" reads as 20 GiB per second
        } catch (IllegalArgumentException e) {
            throw new CliException("--read-speed must be bytes per second (20e9 or 20g), got '" + text + "'");
        }
    }

    private static int port(Options.Parsed o, String option) {
        return parsePort(o.string(option), "--" + option);
    }

    private static int parsePort(String text, String option) {
        try {
            int p = Integer.parseInt(text.strip());
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new CliException(option + " must be a port 0-65535, got '" + text + "'");
    }

    private static int positive(Options.Parsed o, String option) {
        int v = o.integer(option);
        if (v < 1) {
            throw new CliException("--" + option + " must be ≥ 1, got " + v);
        }
        return v;
    }

    private static int nonNegative(Options.Parsed o, String option) {
        int v = o.integer(option);
        if (v < 0) {
            throw new CliException("--" + option + " must be ≥ 0, got " + v);
        }
        return v;
    }
}
