package io.strata.mesh.transport;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Frames as bytes. Each frame is a 4-byte big-endian length (of what follows), a 40-byte header
 * and the payload:
 * <pre>
 *  0  u16  magic 0x5354 ("ST")       8  i64  session id         28  i32  cols
 *  2  u8   version (1)              16  i32  step               32  i32  payload bytes
 *  3  u8   type                     20  i32  start position     36  u32  CRC32C of header[0..36) + payload
 *  4  u8   dtype                    24  i32  rows
 *  5  u8   flags
 *  6  u16  stage
 * </pre>
 * The checksum makes a damaged frame a clear refusal rather than wrong numbers in a forward pass.
 */
public final class FrameCodec {
    public static final int MAGIC = 0x5354;
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 40;
    /** The largest payload accepted: a 256-token prefill chunk of an 8192-wide model in F32 is 8 MiB. */
    public static final int MAX_PAYLOAD = 256 << 20;

    private FrameCodec() {
    }

    /** The frame with its length prefix, ready to write. */
    public static byte[] encode(Frame f) {
        byte[] out = new byte[4 + HEADER_BYTES + f.payload().length];
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(HEADER_BYTES + f.payload().length);
        b.putShort((short) MAGIC).put((byte) VERSION).put((byte) f.type().code).put((byte) f.dtype().code)
                .put((byte) f.flags()).putShort((short) f.stage()).putLong(f.sessionId()).putInt(f.step())
                .putInt(f.startPos()).putInt(f.rows()).putInt(f.cols()).putInt(f.payload().length);
        b.putInt((int) checksum(out, f.payload()));
        b.put(f.payload());
        return out;
    }

    /** Writes one frame (not flushed). */
    public static void write(Frame f, OutputStream out) throws IOException {
        out.write(encode(f));
    }

    /**
     * Reads the next frame.
     *
     * @throws EOFException      when the stream ends cleanly before a frame begins
     * @throws BadFrameException when the bytes are not a whole, intact frame
     */
    public static Frame read(InputStream in) throws IOException {
        return read(in, FrameLimits.CEILING);
    }

    /**
     * Reads the next frame, refusing one whose header exceeds {@code limits} before its payload is
     * allocated or read.
     *
     * @throws EOFException      when the stream ends cleanly before a frame begins
     * @throws BadFrameException when the bytes are not a whole, intact frame, or one too large for this node
     */
    public static Frame read(InputStream in, FrameLimits limits) throws IOException {
        DataInputStream data = in instanceof DataInputStream d ? d : new DataInputStream(in);
        int first = data.read();
        if (first < 0) {
            throw new EOFException("connection closed");
        }
        byte[] header = new byte[4 + HEADER_BYTES];
        header[0] = (byte) first;
        readFully(data, header, 1, 4, "length prefix", 1);
        checkLength(header); // before waiting for a header that foreign bytes may never complete
        readFully(data, header, 4, header.length, "header", 4);
        Parsed p = parsePrefixed(header);
        limits.check(p.type, p.stage, p.rows, p.cols, p.dtype, p.payloadBytes);
        byte[] payload = new byte[p.payloadBytes];
        readFully(data, payload, 0, payload.length, "payload", 4 + HEADER_BYTES);
        return finish(header, p, payload);
    }

    /** The length prefix and header at the start of {@code prefixed}, checked. */
    static Parsed parsePrefixed(byte[] prefixed) throws BadFrameException {
        int length = checkLength(prefixed);
        ByteBuffer b = ByteBuffer.wrap(prefixed, 4, HEADER_BYTES);
        return parseHeader(b, length);
    }

    private static int checkLength(byte[] prefixed) throws BadFrameException {
        int length = ByteBuffer.wrap(prefixed, 0, 4).getInt();
        if (length < HEADER_BYTES || length - HEADER_BYTES > MAX_PAYLOAD) {
            boolean sealedPeer = java.util.Arrays.equals(prefixed, 0, 4, Handshake.MAGIC, 0, 4);
            throw new BadFrameException("frame length " + length + " is outside " + HEADER_BYTES + ".."
                    + (HEADER_BYTES + MAX_PAYLOAD) + " bytes: " + (sealedPeer ? "the peer seals its transport with a"
                    + " cluster secret and this node has none — give every node the same --secret"
                    : "not a Strata frame, or a damaged one"));
        }
        return length;
    }

    /** Decodes exactly one frame from {@code bytes} (length prefix included); for tests and tools. */
    public static Frame decode(byte[] bytes) throws BadFrameException {
        if (bytes.length < 4 + HEADER_BYTES) {
            throw new BadFrameException("truncated frame: " + bytes.length + " bytes, a header alone takes "
                    + (4 + HEADER_BYTES));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int length = b.getInt();
        if (length != bytes.length - 4) {
            throw new BadFrameException((length > bytes.length - 4 ? "truncated frame" : "trailing bytes after the frame")
                    + ": its length prefix says " + length + " bytes, " + (bytes.length - 4) + " follow it");
        }
        Parsed p = parseHeader(b, length);
        byte[] payload = new byte[p.payloadBytes];
        b.get(payload);
        return finish(bytes, p, payload);
    }

    record Parsed(FrameType type, WireDType dtype, int flags, int stage, long sessionId, int step,
                          int startPos, int rows, int cols, int payloadBytes, int crc) {
    }

    private static Parsed parseHeader(ByteBuffer b, int length) throws BadFrameException {
        int magic = b.getShort() & 0xFFFF;
        if (magic != MAGIC) {
            throw new BadFrameException(String.format("bad magic 0x%04x at byte 4 (expected 0x%04x): not a Strata"
                    + " frame — is something else talking to the transport port?", magic, MAGIC));
        }
        int version = b.get() & 0xFF;
        if (version != VERSION) {
            throw new BadFrameException("frame version " + version + " at byte 6; this node speaks version " + VERSION
                    + " — run the same Strata version on every node");
        }
        int typeCode = b.get() & 0xFF;
        FrameType type = FrameType.ofCode(typeCode);
        if (type == null) {
            throw new BadFrameException("unknown frame type " + typeCode + " at byte 7");
        }
        int dtypeCode = b.get() & 0xFF;
        WireDType dtype = WireDType.ofCode(dtypeCode);
        if (dtype == null) {
            throw new BadFrameException("unknown dtype " + dtypeCode + " at byte 8");
        }
        int flags = b.get() & 0xFF;
        int stage = b.getShort() & 0xFFFF;
        long session = b.getLong();
        int step = b.getInt();
        int startPos = b.getInt();
        int rows = b.getInt();
        int cols = b.getInt();
        int payloadBytes = b.getInt();
        int crc = b.getInt();
        if (payloadBytes != length - HEADER_BYTES) {
            throw new BadFrameException("the header says " + payloadBytes + " payload bytes but the length prefix leaves "
                    + (length - HEADER_BYTES));
        }
        return new Parsed(type, dtype, flags, stage, session, step, startPos, rows, cols, payloadBytes, crc);
    }

    /** {@code headerBytes} holds the length prefix and header at its start. */
    static Frame finish(byte[] headerBytes, Parsed p, byte[] payload) throws BadFrameException {
        int actual = (int) checksum(headerBytes, payload);
        if (actual != p.crc) {
            throw new BadFrameException(String.format("checksum mismatch (frame says %08x, bytes give %08x): the %s frame"
                    + " was damaged in transit", p.crc, actual, p.type));
        }
        try {
            return new Frame(p.type, p.flags, p.stage, p.sessionId, p.step, p.startPos, p.rows, p.cols, p.dtype, payload);
        } catch (IllegalArgumentException e) {
            throw new BadFrameException("inconsistent " + p.type + " frame: " + e.getMessage());
        }
    }

    /** CRC32C of the header before the checksum field (bytes 4..40 of the prefixed frame) and the payload. */
    private static long checksum(byte[] prefixedHeader, byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(prefixedHeader, 4, HEADER_BYTES - 4);
        crc.update(payload, 0, payload.length);
        return crc.getValue();
    }

    private static void readFully(DataInputStream in, byte[] into, int offset, int end, String part, int at)
            throws IOException {
        int got = offset;
        while (got < end) {
            int r = in.read(into, got, end - got);
            if (r < 0) {
                throw new BadFrameException("truncated frame: the connection ended in the " + part + " after "
                        + (at + got - offset) + " bytes of the frame");
            }
            got += r;
        }
    }
}
