package io.strata.mesh.transport;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The mutual challenge–response that opens every connection of a keyed transport, before any
 * frame is read. Each side sends a fresh 32-byte nonce; each proves the transport key with an
 * HMAC over both nonces and both node ids under a label of its role, so a proof is bound to this
 * connection and cannot be replayed, reflected, or claimed for another node. Both sides then
 * derive one AES-256-GCM key per direction from the same transcript.
 *
 * <pre>
 * dialer → listener   "STRATAT1", u8 id length, dialer id, nonce D
 * listener → dialer   u8 id length, listener id, nonce L, HMAC(k, "listener" D L ids)
 * dialer → listener   HMAC(k, "dialer" D L ids)
 * listener → dialer   0x01 (admitted: the dialer proved the key and is a current member)
 * </pre>
 * A stranger learns nothing but the listener's id and a MAC over nonces it chose, and the
 * listener reads at most 8 + 1 + 255 + 32 + 32 bytes from it before closing.
 */
final class Handshake {
    static final byte[] MAGIC = "STRATAT1".getBytes(StandardCharsets.US_ASCII);
    private static final int NONCE = 32;
    private static final int MAC = 32;
    private static final int ADMITTED = 1;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a finished handshake yields: the peer's proven id and the keys of both directions. */
    record Result(String peerNodeId, SealedFrames frames) {
    }

    private Handshake() {
    }

    /**
     * Dials' side: proves the key to the listener and checks its proof, and that it is
     * {@code expectedPeer} (empty: any member).
     */
    static Result dial(DataInputStream in, DataOutputStream out, TransportSecurity self, String expectedPeer)
            throws IOException {
        byte[] myId = self.nodeId().getBytes(StandardCharsets.UTF_8);
        byte[] d = nonce();
        out.write(MAGIC);
        writeId(out, myId);
        out.write(d);
        out.flush();
        byte[] peerId = readId(in);
        byte[] l = readFully(in, NONCE);
        byte[] theirs = readFully(in, MAC);
        String peer = new String(peerId, StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(theirs, hmac(self.key(), "listener", d, l, myId, peerId))) {
            throw new BadFrameException("node " + peer + " could not prove the cluster secret: it belongs to another"
                    + " cluster, or something else listens at its address");
        }
        if (!expectedPeer.isEmpty() && !expectedPeer.equals(peer)) {
            throw new BadFrameException("the address member " + expectedPeer + " advertises is answered by " + peer);
        }
        out.write(hmac(self.key(), "dialer", d, l, myId, peerId));
        out.flush();
        int answer = in.read();
        if (answer != ADMITTED) {
            throw new EOFException("node " + peer + " did not admit this node (" + self.nodeId() + "): not in its view"
                    + " of the cluster yet, or it is shutting down");
        }
        return new Result(peer, SealedFrames.of(self.key(), "dialer", d, l, myId, peerId));
    }

    /** Listener's side: checks the dialer's proof of the key and that it is a current member. */
    static Result listen(DataInputStream in, DataOutputStream out, TransportSecurity self) throws IOException {
        byte[] magic = readFully(in, MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new BadFrameException("not a Strata transport handshake (this node's transport is sealed with the"
                    + " cluster secret: does the peer have it?)");
        }
        byte[] peerId = readId(in);
        byte[] d = readFully(in, NONCE);
        byte[] myId = self.nodeId().getBytes(StandardCharsets.UTF_8);
        byte[] l = nonce();
        writeId(out, myId);
        out.write(l);
        out.write(hmac(self.key(), "listener", d, l, peerId, myId));
        out.flush();
        byte[] theirs = readFully(in, MAC);
        String peer = new String(peerId, StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(theirs, hmac(self.key(), "dialer", d, l, peerId, myId))) {
            throw new BadFrameException("a dialer calling itself " + peer + " could not prove the cluster secret");
        }
        if (!self.admission().isMember(peer)) {
            throw new BadFrameException("node " + peer + " proved the cluster secret but is not a current member");
        }
        out.write(ADMITTED);
        out.flush();
        return new Result(peer, SealedFrames.of(self.key(), "listener", d, l, peerId, myId));
    }

    static byte[] hmac(byte[] key, String label, byte[] dialerNonce, byte[] listenerNonce, byte[] dialerId,
                       byte[] listenerId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(label.getBytes(StandardCharsets.US_ASCII));
            mac.update(dialerNonce);
            mac.update(listenerNonce);
            // lengths keep "ab"+"c" and "a"+"bc" apart
            mac.update((byte) dialerId.length);
            mac.update(dialerId);
            mac.update((byte) listenerId.length);
            mac.update(listenerId);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK, which every JDK provides", e);
        }
    }

    private static byte[] nonce() {
        byte[] n = new byte[NONCE];
        RANDOM.nextBytes(n);
        return n;
    }

    private static void writeId(DataOutputStream out, byte[] id) throws IOException {
        out.write(id.length);
        out.write(id);
    }

    private static byte[] readId(DataInputStream in) throws IOException {
        int n = in.read();
        if (n < 1) {
            throw new BadFrameException("handshake cut short or without a node id");
        }
        return readFully(in, n);
    }

    private static byte[] readFully(DataInputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        try {
            in.readFully(b);
        } catch (EOFException e) {
            throw new BadFrameException("handshake cut short: the peer closed the connection");
        }
        return b;
    }
}
