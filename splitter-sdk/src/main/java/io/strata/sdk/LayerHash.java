package io.strata.sdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hashes of split artifacts: MD5 is the model-layer registry's key (the seed's LayerHash),
 * SHA-256 is what nodes verify a fetched artifact against. Files are streamed in 4 MiB reads.
 *
 * <p>Unlike the seed's get_hash, a missing or unreadable file throws (NoSuchFileException
 * naming the file) instead of returning None: a split job must not register a null hash.
 */
public final class LayerHash {
    static final int BUFFER_BYTES = 4 << 20;

    private LayerHash() {
    }

    /** Lower-case hex MD5 of the file's bytes. */
    public static String md5(Path file) throws IOException {
        return digest(file, "MD5");
    }

    /** Lower-case hex SHA-256 of the file's bytes. */
    public static String sha256(Path file) throws IOException {
        return digest(file, "SHA-256");
    }

    private static String digest(Path file, String algorithm) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file — cannot hash a layer that was not written");
        }
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a folder — a layer hash is taken over one artifact file");
        }
        MessageDigest digest = newDigest(algorithm);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no " + algorithm + ", which every JDK must provide", e);
        }
    }
}
