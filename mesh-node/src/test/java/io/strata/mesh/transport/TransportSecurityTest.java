package io.strata.mesh.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransportSecurityTest {
    private static final byte[] KEY = filled(7);
    private static final byte[] OTHER_KEY = filled(9);
    /** What a stranger's header claims: a 256 MiB hidden state. */
    private static final int CLAIMED = 256 << 20;

    private final List<TcpTransport> started = new ArrayList<>();

    /** The cluster as the transports see it: members and the addresses they advertise. */
    private static final class Members implements PeerAdmission {
        final Map<PeerAddress, String> addresses = new ConcurrentHashMap<>();
        final Set<String> ids = ConcurrentHashMap.newKeySet();

        @Override
        public Optional<String> memberAt(PeerAddress address) {
            return Optional.ofNullable(addresses.get(address));
        }

        @Override
        public boolean isMember(String nodeId) {
            return ids.contains(nodeId);
        }

        PeerAddress add(String id, TcpTransport t) {
            PeerAddress a = new PeerAddress("127.0.0.1", t.port());
            addresses.put(a, id);
            ids.add(id);
            return a;
        }
    }

    private static final class Inbox implements FrameHandler {
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<Connection> from = new LinkedBlockingQueue<>();

        @Override
        public void onFrame(Frame frame, Connection connection) {
            frames.add(frame);
            from.add(connection);
        }
    }

    @AfterEach
    void stop() {
        started.forEach(TcpTransport::close);
    }

    private TcpTransport start(String id, byte[] key, PeerAdmission members, Inbox inbox, FrameLimits limits)
            throws IOException {
        TcpTransport t = TcpTransport.start("127.0.0.1", 0, inbox, new TransportSecurity(id, key, members), limits);
        started.add(t);
        return t;
    }

    @Test
    void membersExchangeSealedFramesAndKnowWhoSentThem() throws Exception {
        Members members = new Members();
        Inbox a = new Inbox();
        Inbox b = new Inbox();
        TcpTransport ta = start("a", KEY, members, a, FrameLimits.forBlocks(() -> 8));
        TcpTransport tb = start("b", KEY, members, b, FrameLimits.forBlocks(() -> 8));
        members.add("a", ta);
        PeerAddress toB = members.add("b", tb);

        byte[] hidden = new byte[2 * 8 * 4];
        Arrays.fill(hidden, (byte) 5);
        ta.send(toB, Frame.activations(9, 1, 3, 0, 2, 8, WireDType.F32, hidden, true));
        ta.send(toB, Frame.close(9, 1));
        Frame f = b.frames.poll(10, TimeUnit.SECONDS);
        assertNotNull(f, "a member's frame arrives");
        assertArrayEquals(hidden, f.payload());
        Connection from = b.from.take();
        assertEquals("a", from.peerNodeId(), "the listener knows the dialer by its proven id");
        assertEquals(FrameType.CLOSE, b.frames.poll(10, TimeUnit.SECONDS).type());

        from.send(Frame.close(9, Frame.GATEWAY)); // replies go back on the same sealed connection
        assertEquals(FrameType.CLOSE, a.frames.poll(10, TimeUnit.SECONDS).type());
        assertEquals("b", a.from.take().peerNodeId());
        assertTrue(ta.ping(toB, 64, java.time.Duration.ofSeconds(10)).toNanos() > 0);
    }

    @Test
    void aStrangerWithoutTheKeyCannotOpenASessionNorReadAnything() throws Exception {
        Members members = new Members();
        Inbox b = new Inbox();
        TcpTransport tb = start("b", KEY, members, b, FrameLimits.forBlocks(() -> 8));
        members.add("b", tb);
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), tb.port())) {
            raw.setSoTimeout(10_000);
            SessionOpen.Hop me = new SessionOpen.Hop("", "stranger", "127.0.0.1", raw.getLocalPort());
            SessionOpen open = new SessionOpen("m", List.of(new SessionOpen.Hop("m-0", "b", "127.0.0.1", tb.port())), me,
                    0, 1, 0, 4, 16, new int[0], WireDType.F32);
            raw.getOutputStream().write(FrameCodec.encode(Frame.open(1, 0, open)));
            raw.getOutputStream().write(FrameCodec.encode(Frame.tokens(1, 0, 0, new int[]{1, 2, 3}, true)));
            assertEquals(0, bytesUntilClosed(raw.getInputStream()), "the node says nothing to a stranger and hangs up");
        }
        assertNull(b.frames.poll(500, TimeUnit.MILLISECONDS), "no frame of a stranger reaches the node");
    }

    @Test
    void aDialerWithAnotherSecretIsRefusedBothWays() throws Exception {
        Members members = new Members();
        Inbox b = new Inbox();
        Inbox c = new Inbox();
        TcpTransport tb = start("b", KEY, members, b, FrameLimits.forBlocks(() -> 8));
        TcpTransport tc = start("c", OTHER_KEY, members, c, FrameLimits.forBlocks(() -> 8));
        PeerAddress toB = members.add("b", tb);
        PeerAddress toC = members.add("c", tc);
        IOException e = assertThrows(IOException.class, () -> tc.send(toB, Frame.close(1, 0)));
        assertTrue(e.getMessage().contains("could not prove the cluster secret"), e.getMessage());
        assertThrows(IOException.class, () -> tb.send(toC, Frame.close(1, 0)));
        assertNull(b.frames.poll(500, TimeUnit.MILLISECONDS));
        assertNull(c.frames.poll(10, TimeUnit.MILLISECONDS));
    }

    @Test
    void aKeyHolderThatIsNoLongerAMemberIsNotAdmitted() throws Exception {
        Members members = new Members();
        Inbox b = new Inbox();
        TcpTransport tb = start("b", KEY, members, b, FrameLimits.forBlocks(() -> 8));
        PeerAddress toB = members.add("b", tb);
        Members expelledView = new Members(); // c still believes b is a member; b's view lacks c
        expelledView.addresses.put(toB, "b");
        TcpTransport tc = start("c", KEY, expelledView, new Inbox(), FrameLimits.forBlocks(() -> 8));
        IOException e = assertThrows(IOException.class, () -> tc.send(toB, Frame.close(1, 0)));
        assertTrue(e.getMessage().contains("did not admit"), e.getMessage());
        assertNull(b.frames.poll(500, TimeUnit.MILLISECONDS));
    }

    @Test
    void aNodeDialsOnlyAddressesItsMembersAdvertise() throws Exception {
        for (byte[] key : Arrays.asList(KEY, null)) {
            Members members = new Members();
            TcpTransport ta = start("a", key, members, new Inbox(), FrameLimits.forBlocks(() -> 8));
            members.add("a", ta);
            try (ServerSocket trap = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
                trap.setSoTimeout(1500);
                PeerAddress elsewhere = new PeerAddress("127.0.0.1", trap.getLocalPort());
                IOException e = assertThrows(IOException.class, () -> ta.send(elsewhere, Frame.close(1, Frame.GATEWAY)));
                assertTrue(e.getMessage().contains("refusing to dial"), e.getMessage());
                assertThrows(SocketTimeoutException.class, trap::accept, "nothing connected to the unlisted address");
            }
        }
    }

    @Test
    void withoutASecretTheTransportListensOnLoopbackOnly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TcpTransport.start("0.0.0.0", 0,
                new Inbox(), new TransportSecurity("a", null, new Members()), FrameLimits.forBlocks(() -> 8)));
        assertTrue(e.getMessage().contains("--secret"), e.getMessage());
    }

    @Test
    void anOversizedHeaderIsRefusedBeforeItsPayloadIsAllocated() {
        FrameLimits limits = FrameLimits.forBlocks(() -> 64);
        byte[] header = oversizedHeader();
        long before = allocatedByThisThread();
        BadFrameException e = assertThrows(BadFrameException.class,
                () -> FrameCodec.read(new ByteArrayInputStream(header), limits));
        long allocated = allocatedByThisThread() - before;
        assertTrue(e.getMessage().contains("rows"), e.getMessage());
        assertTrue(allocated < (1 << 20), "refusing a " + CLAIMED + "-byte claim allocated " + allocated + " bytes");
    }

    @Test
    void aMembersOversizedSealedHeaderIsRefusedBeforeItsPayloadIsAllocated() throws Exception {
        byte[] d = filled(1);
        byte[] l = filled(2);
        byte[] dialerId = "a".getBytes();
        byte[] listenerId = "b".getBytes();
        SealedFrames dialer = SealedFrames.of(KEY, "dialer", d, l, dialerId, listenerId);
        SealedFrames listener = SealedFrames.of(KEY, "listener", d, l, dialerId, listenerId);
        byte[] sealed = dialer.seal(oversizedHeader(), 0, 4 + FrameCodec.HEADER_BYTES);
        long before = allocatedByThisThread();
        BadFrameException e = assertThrows(BadFrameException.class, () -> listener.read(
                new DataInputStream(new ByteArrayInputStream(sealed)), FrameLimits.forBlocks(() -> 64)));
        long allocated = allocatedByThisThread() - before;
        assertTrue(e.getMessage().contains("rows"), e.getMessage());
        assertTrue(allocated < (1 << 20), "refusing a " + CLAIMED + "-byte claim allocated " + allocated + " bytes");
    }

    @Test
    void manyStrangersClaimingHugeFramesLeaveTheHeapFlat() throws Exception {
        Members members = new Members();
        Inbox sealedInbox = new Inbox();
        Inbox plainInbox = new Inbox();
        TcpTransport sealed = start("b", KEY, members, sealedInbox, FrameLimits.forBlocks(() -> 64));
        TcpTransport plain = start("p", null, members, plainInbox, FrameLimits.forBlocks(() -> 64));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getTotalThreadAllocatedBytes();
        for (int i = 0; i < 30; i++) {
            for (TcpTransport t : List.of(sealed, plain)) {
                try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), t.port())) {
                    raw.setSoTimeout(10_000);
                    raw.getOutputStream().write(oversizedHeader());
                    raw.getOutputStream().flush();
                    assertEquals(0, bytesUntilClosed(raw.getInputStream()));
                }
            }
        }
        long allocated = threads.getTotalThreadAllocatedBytes() - before;
        // one honoured claim alone would be 256 MiB; 60 of them 15 GiB
        assertTrue(allocated < CLAIMED / 4, "60 refused claims of " + CLAIMED + " bytes allocated " + allocated + " bytes");
        assertNull(sealedInbox.frames.poll(100, TimeUnit.MILLISECONDS));
        assertNull(plainInbox.frames.poll(10, TimeUnit.MILLISECONDS));
    }

    /** Length prefix and header of an ACTIVATIONS frame claiming 65536 rows × 1024 F32 values. */
    private static byte[] oversizedHeader() {
        return ByteBuffer.allocate(4 + FrameCodec.HEADER_BYTES).putInt(FrameCodec.HEADER_BYTES + CLAIMED)
                .putShort((short) FrameCodec.MAGIC).put((byte) FrameCodec.VERSION).put((byte) FrameType.ACTIVATIONS.code)
                .put((byte) WireDType.F32.code).put((byte) 0).putShort((short) 1).putLong(1).putInt(0).putInt(0)
                .putInt(65536).putInt(1024).putInt(CLAIMED).putInt(0).array();
    }

    /** Reads until the peer closes (or resets) the connection; how many bytes came. */
    private static int bytesUntilClosed(InputStream in) throws IOException {
        int n = 0;
        try {
            while (in.read() >= 0) {
                n++;
            }
        } catch (java.net.SocketException reset) {
            // closed with our bytes unread: a reset is a close too
        }
        return n;
    }

    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static byte[] filled(int value) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
