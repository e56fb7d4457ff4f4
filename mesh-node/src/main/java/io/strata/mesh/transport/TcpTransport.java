package io.strata.mesh.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The activation transport over TCP: listens for peers, keeps one persistent outbound
 * connection per peer (opened on first use, opened again after a failure), reads every
 * connection on a thread of its own, answers PINGs with PONGs and hands every other frame to the
 * node's {@link FrameHandler}.
 *
 * <p>Who may talk to it is {@link TransportSecurity}'s: with a key every connection is a proven
 * member's and sealed; without one it listens on loopback only. Either way it dials only an
 * address a current member advertises, and bounds every frame by {@link FrameLimits} before
 * allocating its payload. At most {@value #MAX_PENDING_HANDSHAKES} connections may be in their
 * handshake at once, each for at most {@value #HANDSHAKE_TIMEOUT_MS} ms, so strangers that connect
 * and stall hold a bounded, small amount of the node.
 */
public final class TcpTransport implements FrameSender, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TcpTransport.class.getName());
    private static final int CONNECT_TIMEOUT_MS = 2000;
    static final int HANDSHAKE_TIMEOUT_MS = 5000;
    static final int MAX_PENDING_HANDSHAKES = 32;
    /** Heartbeat PINGs carry this nonce; ping() never makes it (its nonces count up from the clock). */
    private static final long HEARTBEAT_NONCE = -1;

    private final ServerSocket server;
    private final FrameHandler handler;
    private final TransportSecurity security;
    private final FrameLimits limits;
    private final Semaphore handshakes = new Semaphore(MAX_PENDING_HANDSHAKES);
    private final Map<PeerAddress, Connection> outbound = new ConcurrentHashMap<>();
    private final Map<PeerAddress, Object> connecting = new ConcurrentHashMap<>();
    private final Map<Connection, Boolean> inbound = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Frame>> pings = new ConcurrentHashMap<>();
    private final AtomicLong nonces = new AtomicLong(System.nanoTime());
    private volatile boolean closed;
    private ScheduledExecutorService watch;

    private TcpTransport(ServerSocket server, FrameHandler handler, TransportSecurity security, FrameLimits limits) {
        this.server = server;
        this.handler = handler;
        this.security = security;
        this.limits = limits;
    }

    /**
     * Listens on {@code bindHost:port} (port 0: any free one) and starts accepting peers.
     *
     * @throws IOException when the address cannot be bound (in use, not this machine's)
     */
    public static TcpTransport start(String bindHost, int port, FrameHandler handler) throws IOException {
        return start(bindHost, port, handler, TransportSecurity.open("local"), FrameLimits.CEILING);
    }

    /**
     * Listens on {@code bindHost:port} (port 0: any free one) with the given security and frame limits.
     *
     * @throws IOException              when the address cannot be bound (in use, not this machine's)
     * @throws IllegalArgumentException when an unkeyed transport would listen beyond loopback
     */
    public static TcpTransport start(String bindHost, int port, FrameHandler handler, TransportSecurity security,
                                     FrameLimits limits) throws IOException {
        InetAddress address = InetAddress.getByName(bindHost);
        if (!security.sealed() && !address.isLoopbackAddress()) {
            throw new IllegalArgumentException("the activation transport would listen on " + bindHost + " without a"
                    + " cluster secret, so anyone who can reach it could read and drive the model; set --secret (or"
                    + " $STRATA_CLUSTER_SECRET) on every node, or bind 127.0.0.1");
        }
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(address, port), 128);
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen for frames on " + bindHost + ":" + port + " (" + e.getMessage()
                    + "); pick another --transport-port or bind address", e);
        }
        TcpTransport t = new TcpTransport(server, handler, security, limits);
        Thread.ofPlatform().daemon().name("strata-transport-accept-" + server.getLocalPort()).start(t::accept);
        return t;
    }

    /** The port this transport listens on. */
    public int port() {
        return server.getLocalPort();
    }

    /** Sends one frame to {@code peer} over its persistent connection, connecting first if needed. */
    @Override
    public void send(PeerAddress peer, Frame frame) throws IOException {
        connection(peer).send(frame);
    }

    /** The open connection to {@code peer}, made now if there is none. */
    public Connection connection(PeerAddress peer) throws IOException {
        Connection c = outbound.get(peer);
        if (c != null && c.isOpen()) {
            return c;
        }
        synchronized (connecting.computeIfAbsent(peer, p -> new Object())) {
            c = outbound.get(peer);
            if (c != null && c.isOpen()) {
                return c;
            }
            if (closed) {
                throw new SocketException("the transport is closed");
            }
            Optional<String> member = security.admission().memberAt(peer);
            if (member.isEmpty()) {
                throw new SocketException("refusing to dial " + peer + ": no current member of the cluster advertises"
                        + " that transport address");
            }
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(peer.host(), peer.port()), CONNECT_TIMEOUT_MS);
                if (socket.getLocalPort() == socket.getPort() && socket.getLocalAddress().equals(socket.getInetAddress())) {
                    // TCP's simultaneous open: a local port nobody listens on can be picked as our own source
                    // port, and the socket then "connects" to itself, so frames to a dead peer would vanish
                    throw new java.net.ConnectException("nothing listens there (the socket connected to itself)");
                }
                c = new Connection(socket, peer, true, limits);
                if (security.sealed()) {
                    c.secure(security, member.get(), HANDSHAKE_TIMEOUT_MS);
                }
            } catch (IOException e) {
                socket.close();
                throw new IOException("cannot reach node " + (member.get().isEmpty() ? "" : member.get() + " ") + "at " + peer + ": " + e.getMessage(), e);
            }
            outbound.put(peer, c);
            c.startReading(this::deliver, this::outboundEnded);
            return c;
        }
    }

    /**
     * Watches every connection this node opened: a heartbeat PING every {@code interval}, and a
     * connection on which nothing (not even a PONG) arrived for {@code timeout} is closed as
     * stalled, which reports the peer lost ({@link FrameHandler#onPeerLost}) so its sessions fail
     * over within about {@code timeout} instead of waiting for the gateway's stall timeout. PONGs
     * are answered by the peer's reader thread, so a stage busy computing still answers; only a
     * stopped or wedged process, or a cut network, goes silent.
     */
    public synchronized void watchPeers(Duration interval, Duration timeout) {
        if (watch != null || closed) {
            return;
        }
        long limit = timeout.toNanos();
        watch = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("strata-transport-heartbeat-" + port()).factory());
        watch.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            for (Connection c : outbound.values()) {
                if (!c.isOpen()) {
                    continue;
                }
                long silent = now - c.lastHeardNanos();
                if (silent > limit) {
                    LOG.log(System.Logger.Level.WARNING, "node at " + c.peer() + " sent nothing for "
                            + silent / 1_000_000 + " ms, heartbeats included: closing the connection as stalled");
                    c.close(new SocketTimeoutException("node at " + c.peer() + " stalled: no answer for "
                            + silent / 1_000_000 + " ms"));
                } else {
                    c.sendIfIdle(Frame.ping(HEARTBEAT_NONCE, new byte[0]));
                }
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Round trip of a PING carrying {@code payloadBytes} bytes to {@code peer} and its PONG back.
     *
     * @throws TimeoutException when no PONG comes within {@code timeout}
     */
    public Duration ping(PeerAddress peer, int payloadBytes, Duration timeout) throws IOException, TimeoutException {
        long nonce = nonces.incrementAndGet();
        CompletableFuture<Frame> pong = new CompletableFuture<>();
        pings.put(nonce, pong);
        try {
            long start = System.nanoTime();
            send(peer, Frame.ping(nonce, new byte[payloadBytes]));
            pong.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return Duration.ofNanos(System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while pinging " + peer, e);
        } catch (ExecutionException e) {
            throw new IOException("ping to " + peer + " failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pings.remove(nonce);
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                if (!handshakes.tryAcquire()) {
                    LOG.log(System.Logger.Level.WARNING, "transport on port " + port() + ": " + MAX_PENDING_HANDSHAKES
                            + " connections are already in their handshake; closing one from " + s.getRemoteSocketAddress());
                    s.close();
                    continue;
                }
                Thread.ofVirtual().name("strata-handshake-" + s.getPort()).start(() -> admit(s));
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "transport on port " + port() + ": accept failed: " + e.getMessage());
                }
            }
        }
    }

    /** An accepted socket becomes a connection once it has proven itself (keyed transport) — or at once. */
    private void admit(Socket s) {
        Connection c;
        try {
            c = new Connection(s, new PeerAddress(s.getInetAddress().getHostAddress(), s.getPort()), false, limits);
            if (security.sealed()) {
                c.secure(security, "", HANDSHAKE_TIMEOUT_MS);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "transport on port " + port() + ": refused a connection from "
                    + s.getRemoteSocketAddress() + ": " + e.getMessage());
            try {
                s.close();
            } catch (IOException ignored) {
                // refusing anyway
            }
            return;
        } finally {
            handshakes.release();
        }
        if (closed) {
            c.close();
            return;
        }
        inbound.put(c, Boolean.TRUE);
        c.startReading(this::deliver, (conn, cause) -> inbound.remove(conn));
    }

    private void deliver(Frame f, Connection from) {
        switch (f.type()) {
            case PING -> {
                try {
                    from.send(f.pong());
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "could not answer a ping from " + from.peer() + ": " + e.getMessage());
                }
            }
            case PONG -> {
                CompletableFuture<Frame> waiting = pings.get(f.sessionId());
                if (waiting != null) {
                    waiting.complete(f);
                }
            }
            default -> handler.onFrame(f, from);
        }
    }

    private void outboundEnded(Connection c, IOException cause) {
        outbound.remove(c.peer(), c);
        if (!closed) {
            handler.onPeerLost(c.peer(), cause);
        }
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            if (watch != null) {
                watch.shutdownNow();
            }
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        outbound.values().forEach(Connection::close);
        inbound.keySet().forEach(Connection::close);
        pings.values().forEach(p -> p.completeExceptionally(new SocketException("transport closed")));
    }
}
