package io.strata.mesh.membership;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The keys a cluster secret stands for. The secret itself never leaves the node: PBKDF2 stretches
 * it (salted with the cluster name, so two clusters with the same secret still differ) into a
 * master key, and HMAC under that master key with a label gives one key per use, so the
 * encryption key and the join-proof key are unrelated.
 */
public final class ClusterSecret {
    public static final int MIN_LENGTH = 8;
    /** Paid once per node start; slows guessing a weak secret from captured traffic. */
    static final int PBKDF2_ITERATIONS = 120_000;

    private final SecretKey encryptionKey;
    private final byte[] authKey;
    private final byte[] transportKey;

    private ClusterSecret(SecretKey encryptionKey, byte[] authKey, byte[] transportKey) {
        this.encryptionKey = encryptionKey;
        this.authKey = authKey;
        this.transportKey = transportKey;
    }

    public static ClusterSecret derive(String secret, String clusterName) {
        if (secret == null || secret.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the cluster secret must be at least " + MIN_LENGTH + " characters");
        }
        try {
            byte[] salt = ("strata-mesh/" + clusterName).getBytes(StandardCharsets.UTF_8);
            char[] chars = secret.toCharArray();
            PBEKeySpec spec = new PBEKeySpec(chars, salt, PBKDF2_ITERATIONS, 256);
            byte[] master = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            spec.clearPassword();
            Arrays.fill(chars, '\0');
            byte[] enc = label(master, "strata-mesh encryption v1");
            byte[] auth = label(master, "strata-mesh join proof v1");
            byte[] transport = label(master, "strata-mesh activation transport v1");
            Arrays.fill(master, (byte) 0);
            return new ClusterSecret(new SecretKeySpec(enc, "AES"), auth, transport);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks PBKDF2WithHmacSHA256 or HmacSHA256, which every JDK provides", e);
        }
    }

    /** AES-256 key for the cluster's traffic. */
    public SecretKey encryptionKey() {
        return encryptionKey;
    }

    /** 32-byte key the activation transport's handshake proves and derives its per-connection keys from. */
    public byte[] transportKey() {
        return transportKey.clone();
    }

    /** HMAC-SHA256 key members prove possession of when they join. */
    byte[] authKey() {
        return authKey.clone();
    }

    static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] label(byte[] master, String label) {
        return hmac(master, label.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "ClusterSecret[hidden]";
    }
}
