package io.strata.mesh.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * One TCP connection carrying frames both ways: writes from any thread (one frame at a time,
 * flushed at once), reads on its own platform thread (a node has a connection per peer, a handful, and
 * a frame wakes that thread directly rather than a poller and then a carrier). The first bad frame closes it.
 */
public final class Connection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    private static final int BUFFER = 64 << 10;

    private final Socket socket;
    private final PeerAddress peer;
    private final boolean outbound;
    private final OutputStream out;
    private final InputStream in;
    private final ReentrantLock writing = new ReentrantLock();
    private volatile boolean closed;

    Connection(Socket socket, PeerAddress peer, boolean outbound) throws IOException {
        this.socket = socket;
        this.peer = peer;
        this.outbound = outbound;
        socket.setTcpNoDelay(true); // a decode step is one small frame: never wait to fill a packet
        socket.setKeepAlive(true);
        this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER);
        this.in = new BufferedInputStream(socket.getInputStream(), BUFFER);
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
        byte[] bytes = FrameCodec.encode(frame);
        writing.lock();
        try {
            if (closed) {
                throw new SocketException("connection to " + peer + " is closed");
            }
            out.write(bytes);
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
                    onFrame.accept(FrameCodec.read(in), this);
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
                onEnd.accept(this, cause == null ? new EOFException("closed") : cause);
            }
        });
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
        return (outbound ? "to " : "from ") + peer;
    }
}
