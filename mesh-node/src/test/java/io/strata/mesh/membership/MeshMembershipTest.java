package io.strata.mesh.membership;

import org.jgroups.Message;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeshMembershipTest {
    private static final String SECRET = "correct horse battery staple";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<MeshMembership> started = new ArrayList<>();

    @AfterEach
    void leave() {
        started.reversed().forEach(MeshMembership::close);
    }

    /** Remembers every view and message a member saw. */
    static final class Recorder implements MeshMembership.Listener {
        final List<MeshView> views = new CopyOnWriteArrayList<>();
        final List<String> messages = new CopyOnWriteArrayList<>();

        @Override
        public void viewChanged(MeshView view) {
            views.add(view);
        }

        @Override
        public void received(String fromNodeId, byte[] payload) {
            messages.add(fromNodeId + ":" + new String(payload, StandardCharsets.UTF_8));
        }

        MeshView last() {
            return views.isEmpty() ? MeshView.none() : views.getLast();
        }
    }

    /** Records the bytes every message carries as it goes down into the transport: what the wire sees. */
    static final class WireTap extends Protocol {
        final ByteArrayOutputStream seen = new ByteArrayOutputStream();

        @Override
        public Object down(Message msg) {
            if (msg.getArray() != null) {
                synchronized (seen) {
                    seen.write(msg.getArray(), msg.getOffset(), msg.getLength());
                }
            }
            return down_prot.down(msg);
        }

        boolean contains(String text) {
            synchronized (seen) {
                return seen.toString(StandardCharsets.ISO_8859_1).contains(text);
            }
        }
    }

    private MeshMembership start(String node, int port, List<Integer> ports, String secret, Recorder recorder) {
        MembershipConfig config = MembershipConfig.tcp("test-mesh", node, "127.0.0.1", port, LoopbackPorts.peers(ports))
                .withSecret(secret).withTimeouts(Duration.ofMillis(800), Duration.ofSeconds(2));
        MeshMembership m = new MeshMembership(config, recorder);
        m.start();
        started.add(m);
        return m;
    }

    @Test
    void membersSeeEachOtherAndTheOldestIsCoordinator() {
        List<Integer> ports = LoopbackPorts.free(3);
        Recorder[] r = {new Recorder(), new Recorder(), new Recorder()};
        MeshMembership a = start("a", ports.get(0), ports, null, r[0]);
        MeshMembership b = start("b", ports.get(1), ports, null, r[1]);
        MeshMembership c = start("c", ports.get(2), ports, null, r[2]);
        Eventually.await(WAIT, () -> a.view().members().size() == 3 && c.view().members().size() == 3,
                () -> a.view() + " / " + c.view());
        assertEquals(List.of("a", "b", "c"), c.view().members());
        assertEquals("a", c.view().coordinator());
        assertTrue(a.isCoordinator());
        assertFalse(b.isCoordinator());

        a.send("hello".getBytes(StandardCharsets.UTF_8));
        Eventually.await(WAIT, () -> r[1].messages.contains("a:hello") && r[2].messages.contains("a:hello"),
                () -> r[1].messages + " / " + r[2].messages);
        assertTrue(r[0].messages.isEmpty(), "a node does not receive its own multicast");

        a.close();
        Eventually.await(WAIT, () -> b.view().members().equals(List.of("b", "c")), b::view);
        assertTrue(b.isCoordinator(), "the next oldest takes over");
    }

    @Test
    void withASecretAPartitionedClusterMergesAgainWhenTheNetworkHeals() throws Exception {
        List<Integer> ports = LoopbackPorts.free(3);
        Recorder[] r = {new Recorder(), new Recorder(), new Recorder()};
        MeshMembership a = start("a", ports.get(0), ports, SECRET, r[0]);
        MeshMembership b = start("b", ports.get(1), ports, SECRET, r[1]);
        MeshMembership c = start("c", ports.get(2), ports, SECRET, r[2]);
        Eventually.await(WAIT, () -> a.view().members().size() == 3 && c.view().members().size() == 3,
                () -> a.view() + " / " + c.view());

        // c drops every packet both ways, as a stopped process does: the others expel it, it stands alone
        DISCARD cut = new DISCARD();
        c.channel().getProtocolStack().insertProtocol(cut, ProtocolStack.Position.ABOVE, TCP.class);
        cut.discardAll(true);
        Eventually.await(WAIT, () -> a.view().members().equals(List.of("a", "b"))
                && c.view().members().equals(List.of("c")), () -> a.view() + " / " + c.view());

        cut.discardAll(false);
        // the merge leader asks itself too: with the secret, that request must pass its own AUTH
        Eventually.await(WAIT.multipliedBy(2), () -> a.view().members().size() == 3 && b.view().members().size() == 3
                && c.view().members().size() == 3, () -> a.view() + " / " + b.view() + " / " + c.view());
    }

    @Test
    void nodesWithoutTheSecretOrWithAWrongOneNeverEnterTheView() throws InterruptedException {
        List<Integer> ports = LoopbackPorts.free(4);
        Recorder[] r = {new Recorder(), new Recorder(), new Recorder(), new Recorder()};
        MeshMembership a = start("a", ports.get(0), ports, SECRET, r[0]);
        MeshMembership b = start("b", ports.get(1), ports, SECRET, r[1]);
        Eventually.await(WAIT, () -> a.view().members().size() == 2 && b.view().members().size() == 2,
                () -> a.view() + " / " + b.view());

        MeshMembership open = start("open", ports.get(2), ports, null, r[2]);
        MeshMembership wrong = start("wrong", ports.get(3), ports, "a different secret entirely", r[3]);
        assertEquals(List.of("open"), open.view().members(), "a node without the secret stands alone");
        assertEquals(List.of("wrong"), wrong.view().members(), "a node with a wrong secret stands alone");

        a.send("for members only".getBytes(StandardCharsets.UTF_8));
        Eventually.await(WAIT, () -> r[1].messages.contains("a:for members only"), () -> r[1].messages.toString());
        Thread.sleep(2500); // a merge round or two: the strangers must still be outside afterwards
        for (Recorder member : List.of(r[0], r[1])) {
            for (MeshView v : member.views) {
                assertFalse(v.contains("open") || v.contains("wrong"), "stranger in a member's view " + v);
            }
        }
        for (Recorder stranger : List.of(r[2], r[3])) {
            assertTrue(stranger.messages.stream().noneMatch(m -> m.contains("for members only")),
                    "a stranger read " + stranger.messages);
            assertTrue(stranger.views.stream().allMatch(v -> v.members().size() == 1), "stranger views " + stranger.views);
        }
    }

    @Test
    void withASecretTheWireCarriesNoPlaintext() throws Exception {
        assertTrue(wireShows("plain-marker-7f3a", null), "the tap must see plaintext in an open cluster");
        assertFalse(wireShows("secret-marker-7f3a", SECRET), "an encrypted cluster leaked its payload");
    }

    private boolean wireShows(String marker, String secret) throws Exception {
        List<Integer> ports = LoopbackPorts.free(2);
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        MeshMembership a = start("a-" + marker, ports.get(0), ports, secret, ra);
        WireTap tap = new WireTap();
        a.channel().getProtocolStack().insertProtocol(tap, ProtocolStack.Position.ABOVE, TCP.class);
        MeshMembership b = start("b-" + marker, ports.get(1), ports, secret, rb);
        Eventually.await(WAIT, () -> b.view().members().size() == 2, b::view);
        a.send(marker.getBytes(StandardCharsets.UTF_8));
        Eventually.await(WAIT, () -> rb.messages.stream().anyMatch(m -> m.endsWith(":" + marker)), rb.messages::toString);
        assertTrue(tap.contains("b-" + marker) || !tap.seen.toString().isEmpty(), "the tap saw traffic");
        b.close();
        a.close();
        return tap.contains(marker);
    }
}
