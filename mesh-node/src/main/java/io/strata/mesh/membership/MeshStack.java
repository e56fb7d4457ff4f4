package io.strata.mesh.membership;

import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.PING;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.UDP;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The mesh's JGroups protocol stack, bottom to top, one concern per layer. Built in code rather
 * than XML because the encryption key comes from the secret at run time.
 *
 * <p>With a secret, encryption sits right above the transport, under discovery: every message
 * a stranger could see, discovery included, is ciphertext (SERIALIZE folds the headers into the
 * encrypted payload too), so a node without the key gets no answer at all and founds a cluster
 * of its own. AUTH under GMS is the second lock: a join request must carry a fresh proof of the
 * secret ({@link SecretAuthToken}), and the coordinator's answer must carry one back.
 */
final class MeshStack {
    /** AES-CBC because SYM_ENCRYPT initialises ciphers with an IvParameterSpec, which GCM refuses. */
    static final String CIPHER = "AES/CBC/PKCS5Padding";

    private MeshStack() {
    }

    static List<Protocol> protocols(MembershipConfig config, ClusterSecret secretOrNull) {
        long join = config.joinTimeout().toMillis();
        long failure = config.failureTimeout().toMillis();
        List<Protocol> stack = new ArrayList<>();
        stack.add(transport(config));
        if (secretOrNull != null) {
            stack.add(new SYM_ENCRYPT().symAlgorithm(CIPHER).symIvLength(16)
                    .<SYM_ENCRYPT>symKeylength(256).setSecretKey(secretOrNull.encryptionKey()));
            stack.add(new SERIALIZE());
        }
        stack.add(discovery(config));
        // partitions heal: coordinators of split views find each other and merge
        stack.add(new MERGE3().setMinInterval(Math.max(1000, failure / 4)).setMaxInterval(Math.max(4000, failure)));
        // a crashed process closes its socket: suspected at once
        stack.add(new FD_SOCK2());
        // a hung one stops heart-beating: suspected after the failure timeout
        stack.add(new FD_ALL3().setTimeout(failure).setInterval(Math.max(200, failure / 4)));
        stack.add(new VERIFY_SUSPECT2().setTimeout(Math.max(500, failure / 8)));
        stack.add(new NAKACK2().useMcastXmit(config.multicast()));
        stack.add(new UNICAST3());
        stack.add(new STABLE());
        if (secretOrNull != null) {
            SecretAuthToken token = SecretAuthToken.of(secretOrNull);
            AUTH auth = new AUTH().setAuthCoord(true).setAuthToken(token);
            token.setAuth(auth);
            stack.add(auth);
        }
        // a refused or unanswered joiner gives up after a few tries and stands alone
        stack.add(new GMS().setJoinTimeout(join).setMaxJoinAttempts(3).setLeaveTimeout(Math.max(1000, join))
                .printLocalAddress(false));
        stack.add(new FRAG4());
        return stack;
    }

    private static TP transport(MembershipConfig config) {
        InetAddress bind = resolve(config.bindAddress(), "bind address");
        if (config.multicast()) {
            UDP udp = new UDP();
            udp.setMulticastAddress(resolve(config.multicastGroup(), "multicast group"));
            udp.setMulticastPort(config.multicastPort());
            udp.setBindAddress(bind);
            udp.setBindPort(config.bindPort());
            udp.setPortRange(config.portRange());
            return udp;
        }
        TCP tcp = new TCP();
        tcp.setBindAddress(bind);
        tcp.setBindPort(config.bindPort());
        tcp.setPortRange(config.portRange());
        return tcp;
    }

    private static Protocol discovery(MembershipConfig config) {
        if (config.multicast()) {
            return new PING();
        }
        TCPPING ping = new TCPPING().portRange(0);
        if (!config.peers().isEmpty()) {
            // as text, so JGroups re-resolves names that do not resolve yet (a peer still starting)
            ping.setValue("initial_hosts_str", config.peerAddresses().stream()
                    .map(a -> a.getHostString() + "[" + a.getPort() + "]").collect(Collectors.joining(",")));
        }
        return ping;
    }

    private static InetAddress resolve(String host, String what) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve the " + what + " \"" + host + "\"; give an IP address"
                    + " or a name this machine can resolve");
        }
    }
}
