package io.strata.mesh.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * One TCP connection carrying frames both ways: writes from any thread (one frame at a time,
 * flushed at once), reads on its own platform thread (a node has a connection per peer, a handful, and
 * a frame wakes that thread directly rather than a poller and then a carrier). The first bad frame closes it.
 * On a keyed transport the connection exists only once the {@link Handshake} is done: it knows the
 * peer's proven node id, and seals every frame both ways.
 */
public final class Connection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final int BUFFER = 64 << 10;

    private final Socket socket;
    private final PeerAddress peer;
    private final boolean outbound;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final FrameLimits limits;
    private final ReentrantLock writing = new ReentrantLock();
    private String peerNodeId;
    private SealedFrames sealed;
    private volatile boolean closed;
    private volatile IOException closeReason;
    private volatile long lastHeardNanos = System.nanoTime();

    Connection(Socket socket, PeerAddress peer, boolean outbound, FrameLimits limits) throws IOException {
        this.socket = socket;
        this.peer = peer;
        this.outbound = outbound;
        this.limits = limits;
        socket.setTcpNoDelay(true); // a decode step is one small frame: never wait to fill a packet
        socket.setKeepAlive(true);
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), BUFFER));
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), BUFFER));
    }

    /**
     * Runs the handshake of a keyed transport (before any frame moves); bounded in time, so a
     * stranger that connects and says nothing holds nothing for long.
     *
     * @param expectedPeer the member the dialled address belongs to (dialling side; empty: any)
     */
    void secure(TransportSecurity security, String expectedPeer, int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        Handshake.Result r = outbound ? Handshake.dial(in, out, security, expectedPeer)
                : Handshake.listen(in, out, security);
        socket.setSoTimeout(0);
        this.peerNodeId = r.peerNodeId();
        this.sealed = r.frames();
    }

    /** The peer's node id as it proved it in the handshake; null on an unkeyed transport (nothing proven). */
    public String peerNodeId() {
        return peerNodeId;
    }

    /** The node at the other end: where it listens (outbound), or its socket address (inbound). */
    public PeerAddress peer() {
        return peer;
    }

    /** True when this node opened the connection. */
    public boolean outbound() {
        return outbound;
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Writes and flushes one frame; a failure closes the connection. */
    public void send(Frame frame) throws IOException {
        byte[] bytes = sealed == null ? FrameCodec.encode(frame) : null;
        writing.lock();
        try {
            if (closed) {
                throw new SocketException("connection to " + peer + " is closed");
            }
            if (bytes != null) {
                out.write(bytes);
            } else {
                sealed.write(frame, out); // under the lock: the nonce counter follows the order on the wire
            }
            out.flush();
        } catch (IOException e) {
            close();
            throw e;
        } finally {
            writing.unlock();
        }
    }

    /** Reads frames until the connection ends, handing each to {@code onFrame}; then calls {@code onEnd}. */
    void startReading(BiConsumer<Frame, Connection> onFrame, BiConsumer<Connection, IOException> onEnd) {
        Thread.ofPlatform().daemon().name("strata-frames-" + peer).start(() -> {
            IOException cause = null;
            try {
                while (!closed) {
                    Frame f = sealed == null ? FrameCodec.read(in, limits) : sealed.read(in, limits);
                    lastHeardNanos = System.nanoTime();
                    onFrame.accept(f, this);
                }
            } catch (BadFrameException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the connection with " + peer + ": " + e.getMessage());
                cause = e;
            } catch (EOFException e) {
                cause = e;
            } catch (IOException e) {
                cause = e;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "a frame handler failed on the connection with " + peer, e);
                cause = new IOException(e);
            } finally {
                close();
                IOException reason = closeReason != null ? closeReason : cause;
                onEnd.accept(this, reason == null ? new EOFException("closed") : reason);
            }
        });
    }

    /** When a frame last arrived on this connection (its creation, before any). */
    long lastHeardNanos() {
        return lastHeardNanos;
    }

    /**
     * Sends {@code frame} unless another thread is writing right now: a heartbeat must never wait
     * behind a write blocked by a peer that stopped reading.
     */
    void sendIfIdle(Frame frame) {
        if (!writing.tryLock()) {
            return;
        }
        try {
            if (!closed) {
                if (sealed == null) {
                    out.write(FrameCodec.encode(frame));
                } else {
                    sealed.write(frame, out);
                }
                out.flush();
            }
        } catch (IOException e) {
            close(e);
        } finally {
            writing.unlock();
        }
    }

    /** Closes the connection, reporting {@code reason} as why it ended. */
    void close(IOException reason) {
        if (!closed) {
            closeReason = reason;
        }
        close();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // already broken: nothing more to release
        }
    }

    @Override
    public String toString() {
        return (outbound ? "to " : "from ") + (peerNodeId == null ? "" : peerNodeId + " at ") + peer;
    }
}
