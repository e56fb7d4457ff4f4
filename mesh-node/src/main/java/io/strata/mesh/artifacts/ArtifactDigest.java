package io.strata.mesh.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An artifact's size, SHA-256 and MD5, taken in one streaming pass: a split can be tens of
 * gigabytes, so it is read once, not once per hash.
 */
public record ArtifactDigest(long bytes, String sha256, String md5) {
    private static final int BUFFER = 4 << 20;

    public static ArtifactDigest of(Path file) throws IOException {
        MessageDigest sha = digest("SHA-256");
        MessageDigest md5 = digest("MD5");
        long n = 0;
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, r);
                md5.update(buffer, 0, r);
                n += r;
            }
        }
        return new ArtifactDigest(n, HexFormat.of().formatHex(sha.digest()), HexFormat.of().formatHex(md5.digest()));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no " + algorithm + ", which every JDK must provide", e);
        }
    }
}
