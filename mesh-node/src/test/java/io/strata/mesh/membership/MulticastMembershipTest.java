package io.strata.mesh.membership;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** UDP multicast discovery on loopback; skipped where the sandbox gives loopback no multicast. */
class MulticastMembershipTest {
    private static final String GROUP = "239.7.7.7";

    @Test
    void twoNodesFindEachOtherByMulticast() throws Exception {
        int mcastPort = LoopbackPorts.free(1).getFirst();
        Assumptions.assumeTrue(loopbackMulticastWorks(mcastPort + 1 > 65535 ? mcastPort - 1 : mcastPort + 1),
                "no multicast on the loopback interface here");
        List<Integer> ports = LoopbackPorts.free(2);
        MeshMembershipTest.Recorder ra = new MeshMembershipTest.Recorder();
        MeshMembershipTest.Recorder rb = new MeshMembershipTest.Recorder();
        MembershipConfig base = new MembershipConfig("udp-mesh", "a", "127.0.0.1", ports.get(0), 0, List.of(), GROUP,
                mcastPort, "udp cluster secret", Duration.ofMillis(800), Duration.ofSeconds(2));
        try (MeshMembership a = new MeshMembership(base, ra);
             MeshMembership b = new MeshMembership(new MembershipConfig("udp-mesh", "b", "127.0.0.1", ports.get(1), 0,
                     List.of(), GROUP, mcastPort, "udp cluster secret", Duration.ofMillis(800), Duration.ofSeconds(2)), rb)) {
            a.start();
            b.start();
            Eventually.await(Duration.ofSeconds(20), () -> b.view().members().size() == 2, b::view);
            assertEquals(List.of("a", "b"), b.view().members());
            a.send("over multicast".getBytes(StandardCharsets.UTF_8));
            Eventually.await(Duration.ofSeconds(20), () -> rb.messages.contains("a:over multicast"), rb.messages::toString);
        }
    }

    private static boolean loopbackMulticastWorks(int port) {
        try (MulticastSocket socket = new MulticastSocket(port)) {
            NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
            if (lo == null || !lo.supportsMulticast()) {
                return false;
            }
            InetAddress group = InetAddress.getByName(GROUP);
            socket.setNetworkInterface(lo);
            socket.joinGroup(new InetSocketAddress(group, port), lo);
            socket.setSoTimeout(1000);
            byte[] probe = "strata-probe".getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(probe, probe.length, group, port));
            DatagramPacket in = new DatagramPacket(new byte[64], 64);
            socket.receive(in);
            return new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8).equals("strata-probe");
        } catch (SocketTimeoutException e) {
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
