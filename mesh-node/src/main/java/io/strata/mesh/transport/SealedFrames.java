package io.strata.mesh.transport;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;

/**
 * Frames sealed with AES-256-GCM after a {@link Handshake}: one key per direction (from the
 * handshake's transcript) and a counter as the nonce, so a frame cannot be forged, read, replayed,
 * reordered or reflected back to its sender. A frame goes as two records: its 44-byte length and
 * header (a fixed 60 bytes sealed), then its payload (payload + 16 bytes, absent when empty). The
 * header is opened and checked against the {@link FrameLimits} before the payload's buffer exists.
 *
 * <p>Not thread-safe: the connection writes under its lock and reads on its one thread.
 */
final class SealedFrames {
    static final int TAG_BYTES = 16;
    static final int SEALED_HEADER = 4 + FrameCodec.HEADER_BYTES + TAG_BYTES;

    private final SecretKeySpec sendKey;
    private final SecretKeySpec receiveKey;
    private final Cipher seal;
    private final Cipher open;
    private long sent;
    private long received;

    private SealedFrames(byte[] sendKey, byte[] receiveKey) {
        this.sendKey = new SecretKeySpec(sendKey, "AES");
        this.receiveKey = new SecretKeySpec(receiveKey, "AES");
        try {
            this.seal = Cipher.getInstance("AES/GCM/NoPadding");
            this.open = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is missing from this JDK, which every JDK provides", e);
        }
    }

    /** The keys of one side ({@code role} "dialer" or "listener") of a connection. */
    static SealedFrames of(byte[] key, String role, byte[] dialerNonce, byte[] listenerNonce, byte[] dialerId,
                           byte[] listenerId) {
        byte[] toListener = Handshake.hmac(key, "dialer->listener", dialerNonce, listenerNonce, dialerId, listenerId);
        byte[] toDialer = Handshake.hmac(key, "listener->dialer", dialerNonce, listenerNonce, dialerId, listenerId);
        return role.equals("dialer") ? new SealedFrames(toListener, toDialer) : new SealedFrames(toDialer, toListener);
    }

    /** Seals and writes one frame (not flushed). */
    void write(Frame f, OutputStream out) throws IOException {
        byte[] plain = FrameCodec.encode(f);
        int head = 4 + FrameCodec.HEADER_BYTES;
        out.write(seal(plain, 0, head));
        if (plain.length > head) {
            out.write(seal(plain, head, plain.length - head));
        }
    }

    /** The next record this side sends: {@code length} bytes of {@code plain} sealed under the next counter. */
    byte[] seal(byte[] plain, int offset, int length) throws BadFrameException {
        return crypt(seal, Cipher.ENCRYPT_MODE, sendKey, sent++, plain, offset, length);
    }

    /**
     * Reads and opens the next frame.
     *
     * @throws EOFException      when the stream ends cleanly before a frame begins
     * @throws BadFrameException when a record fails authentication, or the header is out of bounds
     */
    Frame read(DataInputStream in, FrameLimits limits) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException("connection closed");
        }
        byte[] sealedHeader = new byte[SEALED_HEADER];
        sealedHeader[0] = (byte) first;
        readFully(in, sealedHeader, 1, "header");
        byte[] header = opened(sealedHeader, "header");
        FrameCodec.Parsed p = FrameCodec.parsePrefixed(header);
        limits.check(p.type(), p.stage(), p.rows(), p.cols(), p.dtype(), p.payloadBytes());
        byte[] payload = new byte[0];
        if (p.payloadBytes() > 0) {
            byte[] sealedPayload = new byte[p.payloadBytes() + TAG_BYTES];
            readFully(in, sealedPayload, 0, "payload");
            payload = opened(sealedPayload, "payload of a " + p.type());
        }
        return FrameCodec.finish(header, p, payload);
    }

    private byte[] opened(byte[] sealed, String what) throws IOException {
        try {
            return crypt(open, Cipher.DECRYPT_MODE, receiveKey, received++, sealed, 0, sealed.length);
        } catch (BadFrameException e) {
            throw new BadFrameException("the " + what + " failed authentication: forged, damaged or replayed");
        }
    }

    private static byte[] crypt(Cipher cipher, int mode, SecretKeySpec key, long counter, byte[] data, int offset,
                                int length) throws BadFrameException {
        byte[] iv = ByteBuffer.allocate(12).putInt(0).putLong(counter).array();
        try {
            cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, iv));
            return cipher.doFinal(data, offset, length);
        } catch (AEADBadTagException e) {
            throw new BadFrameException("authentication tag mismatch");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
        }
    }

    private static void readFully(DataInputStream in, byte[] into, int offset, String part) throws IOException {
        try {
            in.readFully(into, offset, into.length - offset);
        } catch (EOFException e) {
            throw new BadFrameException("truncated frame: the connection ended in a sealed " + part);
        }
    }
}
