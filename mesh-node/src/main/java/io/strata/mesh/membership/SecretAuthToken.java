package io.strata.mesh.membership;

import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;
import org.jgroups.util.Util;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JGroups AUTH token proving that a joiner (and, back, the coordinator) holds the cluster
 * secret without sending it: each time the token is written it carries a fresh nonce, the time,
 * and an HMAC under the secret's join key over both and the sender's address. The receiver
 * recomputes the HMAC for the message's actual sender, and refuses stale times and nonces it
 * has already seen, so a captured token cannot be replayed from elsewhere or later.
 *
 * <p>Instances read off the wire have no key: only the receiver's own token verifies.
 */
public final class SecretAuthToken extends AuthToken {
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    private static final int NONCE_BYTES = 16;
    private static final int MAC_BYTES = 32;
    private static final int REMEMBERED_NONCES = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;
    private final Clock clock;
    private final Map<ByteBuffer, Long> seenNonces = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Long> eldest) {
            return size() > REMEMBERED_NONCES;
        }
    };

    // what was read off the wire
    private long millis;
    private byte[] nonce = new byte[0];
    private byte[] mac = new byte[0];

    /** For JGroups, which builds received tokens by reflection. */
    public SecretAuthToken() {
        this(null, Clock.systemUTC());
    }

    SecretAuthToken(byte[] key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    static SecretAuthToken of(ClusterSecret secret) {
        return new SecretAuthToken(secret.authKey(), Clock.systemUTC());
    }

    @Override
    public String getName() {
        return getClass().getName();
    }

    @Override
    public int size() {
        return Long.BYTES + 2 + NONCE_BYTES + 2 + MAC_BYTES;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        if (key == null) {
            throw new IOException("a received join proof cannot be sent on");
        }
        byte[] freshNonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(freshNonce);
        long now = clock.millis();
        byte[] proof = proof(key, now, freshNonce, addressBytes(auth == null ? null : auth.getAddress()));
        out.writeLong(now);
        writeBytes(out, freshNonce);
        writeBytes(out, proof);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        millis = in.readLong();
        nonce = readBytes(in, NONCE_BYTES);
        mac = readBytes(in, MAC_BYTES);
    }

    @Override
    public boolean authenticate(AuthToken token, Message msg) {
        if (token == this) {
            // A request this stack sent to itself (a merge leader asks itself too, and sees its own
            // INSTALL_MERGE_VIEW) is looped back above the transport without being written out, so it
            // carries this very instance, whose time was never set: judged by the clock it would be
            // decades old and every merge with a secret would fail. A token read off the wire is a
            // fresh instance without a key, so only this process can present this one.
            return true;
        }
        if (key == null || !(token instanceof SecretAuthToken other)) {
            log.warn("%s: join attempt from %s without a Strata cluster-secret proof", addr(), msg.src());
            return false;
        }
        long skew = Math.abs(clock.millis() - other.millis);
        if (skew > MAX_CLOCK_SKEW.toMillis()) {
            log.warn("%s: join proof from %s is %d s off this node's clock (more than %d s); refused — check both"
                    + " clocks (NTP)", addr(), msg.src(), skew / 1000, MAX_CLOCK_SKEW.toSeconds());
            return false;
        }
        byte[] expected = proof(key, other.millis, other.nonce, addressBytes(msg.src()));
        if (other.nonce.length != NONCE_BYTES || !MessageDigest.isEqual(expected, other.mac)) {
            log.warn("%s: join proof from %s does not match this cluster's secret; refused", addr(), msg.src());
            return false;
        }
        synchronized (seenNonces) {
            if (seenNonces.putIfAbsent(ByteBuffer.wrap(other.nonce.clone()), other.millis) != null) {
                log.warn("%s: join proof from %s was already used (a replay); refused", addr(), msg.src());
                return false;
            }
        }
        return true;
    }

    private Address addr() {
        return auth == null ? null : auth.getAddress();
    }

    private static byte[] proof(byte[] key, long millis, byte[] nonce, byte[] sender) {
        return ClusterSecret.hmac(key, ByteBuffer.allocate(Long.BYTES).putLong(millis).array(), nonce, sender);
    }

    private static byte[] addressBytes(Address address) {
        if (address == null) {
            return new byte[0];
        }
        try {
            return Util.streamableToByteBuffer(address);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise address " + address, e);
        }
    }

    private static void writeBytes(DataOutput out, byte[] b) throws IOException {
        out.writeShort(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInput in, int max) throws IOException {
        int n = in.readUnsignedShort();
        if (n > max) {
            throw new IOException("join proof field of " + n + " bytes, at most " + max + " expected");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    @Override
    public String toString() {
        return "SecretAuthToken";
    }
}
