package io.strata.mesh.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpTransportTest {
    private final List<TcpTransport> started = new ArrayList<>();

    /** Records what reaches a node. */
    private static final class Inbox implements FrameHandler {
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<Connection> from = new LinkedBlockingQueue<>();
        final BlockingQueue<PeerAddress> lost = new LinkedBlockingQueue<>();
        final BlockingQueue<IOException> causes = new LinkedBlockingQueue<>();

        @Override
        public void onFrame(Frame frame, Connection connection) {
            frames.add(frame);
            from.add(connection);
        }

        @Override
        public void onPeerLost(PeerAddress peer, IOException cause) {
            lost.add(peer);
            causes.add(cause);
        }

        Frame next() throws InterruptedException {
            Frame f = frames.poll(10, TimeUnit.SECONDS);
            assertNotNull(f, "no frame arrived");
            return f;
        }
    }

    private TcpTransport start(Inbox inbox) throws IOException {
        TcpTransport t = TcpTransport.start("127.0.0.1", 0, inbox);
        started.add(t);
        return t;
    }

    @AfterEach
    void stop() {
        started.forEach(TcpTransport::close);
    }

    @Test
    void framesArriveInOrderOverOnePersistentConnectionAndRepliesGoBackOnIt() throws Exception {
        Inbox a = new Inbox();
        Inbox b = new Inbox();
        TcpTransport ta = start(a);
        TcpTransport tb = start(b);
        PeerAddress toB = new PeerAddress("127.0.0.1", tb.port());
        for (int i = 0; i < 50; i++) {
            ta.send(toB, Frame.tokens(7, i, i, new int[]{i}, true));
        }
        Connection first = null;
        for (int i = 0; i < 50; i++) {
            Frame f = b.next();
            assertEquals(i, f.step());
            assertArrayEquals(new int[]{i}, TokenIds.decode(f.payload()));
            Connection c = b.from.take();
            if (first == null) {
                first = c;
            }
            assertEquals(first, c, "one connection carries them all");
        }
        first.send(Frame.close(7, Frame.GATEWAY)); // b answers on the connection a opened
        assertEquals(FrameType.CLOSE, a.next().type());
        assertSame(ta.connection(toB), ta.connection(toB));
    }

    private static void assertSame(Connection x, Connection y) {
        assertTrue(x == y, "the same persistent connection");
    }

    @Test
    void aPingOfAHiddenStatesSizeComesBackAsAPong() throws Exception {
        Inbox b = new Inbox();
        TcpTransport ta = start(new Inbox());
        TcpTransport tb = start(b);
        Duration rtt = ta.ping(new PeerAddress("127.0.0.1", tb.port()), 8192, Duration.ofSeconds(5));
        assertTrue(rtt.toNanos() > 0);
        assertNull(b.frames.poll(100, TimeUnit.MILLISECONDS), "pings are answered by the transport, not the node");
    }

    @Test
    void aPeerThatGoesAwayIsReportedLostAndReachedAgainWhenItIsBack() throws Exception {
        Inbox a = new Inbox();
        TcpTransport ta = start(a);
        Inbox b = new Inbox();
        TcpTransport tb = start(b);
        int port = tb.port();
        PeerAddress toB = new PeerAddress("127.0.0.1", port);
        ta.send(toB, Frame.close(1, 0));
        b.next();
        tb.close();
        PeerAddress lost = a.lost.poll(10, TimeUnit.SECONDS);
        assertEquals(toB, lost);
        IOException e = assertThrows(IOException.class, () -> ta.send(toB, Frame.close(2, 0)));
        assertTrue(e.getMessage().contains("cannot reach node at 127.0.0.1:" + port) || e.getMessage().contains("closed"),
                e.getMessage());
    }

    @Test
    void aPeerThatStopsAnsweringHeartbeatsIsReportedLostAsStalledWhileALiveOneIsNot() throws Exception {
        Inbox a = new Inbox();
        TcpTransport ta = start(a);
        TcpTransport live = start(new Inbox());
        ta.watchPeers(Duration.ofMillis(100), Duration.ofMillis(800));
        PeerAddress toLive = new PeerAddress("127.0.0.1", live.port());
        ta.send(toLive, Frame.close(1, 0));
        // a stopped process: the kernel accepts the connection, nobody reads or answers
        try (java.net.ServerSocket stopped = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            PeerAddress toStopped = new PeerAddress("127.0.0.1", stopped.getLocalPort());
            ta.send(toStopped, Frame.close(2, 0));
            PeerAddress lost = a.lost.poll(30, TimeUnit.SECONDS);
            assertEquals(toStopped, lost, "the silent peer is reported lost");
            assertTrue(a.causes.poll(1, TimeUnit.SECONDS).getMessage().contains("stalled"));
        }
        Thread.sleep(1500); // well past the timeout: heartbeats keep the live peer's connection
        assertNull(a.lost.poll(), "the live peer answered every heartbeat");
        assertTrue(ta.connection(toLive).isOpen());
    }

    @Test
    void garbageOnTheConnectionClosesItWithoutReachingTheNode() throws Exception {
        Inbox b = new Inbox();
        TcpTransport tb = start(b);
        try (Socket raw = new Socket("127.0.0.1", tb.port())) {
            OutputStream out = raw.getOutputStream();
            byte[] good = FrameCodec.encode(Frame.close(1, 0));
            out.write(good);
            byte[] bad = FrameCodec.encode(Frame.close(2, 0));
            bad[bad.length - 1] ^= 1; // damage the checksum
            out.write(bad);
            out.write(good); // never read: the connection is closed at the bad frame
            out.flush();
            assertEquals(1, b.next().sessionId());
            assertEquals(-1, raw.getInputStream().read(), "the node closed the connection");
        }
        assertNull(b.frames.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void aFrameCutShortByTheSenderIsDropped() throws Exception {
        Inbox b = new Inbox();
        TcpTransport tb = start(b);
        try (Socket raw = new Socket("127.0.0.1", tb.port())) {
            byte[] good = FrameCodec.encode(Frame.tokens(1, 0, 0, new int[]{1, 2, 3}, false));
            raw.getOutputStream().write(good, 0, good.length - 3);
            raw.shutdownOutput();
            assertEquals(-1, raw.getInputStream().read());
        }
        assertNull(b.frames.poll(200, TimeUnit.MILLISECONDS));
    }
}
