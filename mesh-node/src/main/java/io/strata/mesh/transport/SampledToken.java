package io.strata.mesh.transport;

import java.nio.ByteBuffer;

/**
 * The payload of a SAMPLED frame: the token the last stage chose, and whether generation ends
 * with it.
 */
public record SampledToken(int token, Finish finish) {
    /** Why generation ends after this token, or {@link #NONE} when it goes on. */
    public enum Finish {
        /** More tokens follow. */
        NONE,
        /** The token is a stop token (end of sequence): it is not part of the text. */
        STOP,
        /** The token is the last one asked for. */
        LENGTH,
        /** The session's positions are used up; the token is the last one. */
        CONTEXT
    }

    public byte[] encode() {
        return ByteBuffer.allocate(5).putInt(token).put((byte) finish.ordinal()).array();
    }

    public static SampledToken decode(byte[] payload) {
        if (payload.length != 5) {
            throw new IllegalArgumentException("a sampled token payload is 5 bytes, got " + payload.length);
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        int token = b.getInt();
        int finish = b.get() & 0xFF;
        if (finish >= Finish.values().length) {
            throw new IllegalArgumentException("unknown finish code " + finish + " in a sampled token");
        }
        return new SampledToken(token, Finish.values()[finish]);
    }
}
