package io.strata.mesh.transport;

/**
 * One message of the activation transport. {@code stage} says whose it is on the receiving node:
 * the index of a stage in the session's path, or {@link #GATEWAY} for the gateway that opened
 * the session. Rows are positions {@code startPos .. startPos + rows - 1} of the session;
 * {@code step} is the generation step the last stage samples after them (when {@link #SAMPLE}
 * is set). The payload is owned by the frame once made: callers do not change it.
 */
public record Frame(FrameType type, int flags, int stage, long sessionId, int step, int startPos, int rows, int cols,
                    WireDType dtype, byte[] payload) {
    /** The stage number that addresses a session's gateway rather than one of its stages. */
    public static final int GATEWAY = 0xFFFF;
    /** Flag: after these rows, the last stage samples the next token (the last chunk of a prompt, or a decode step). */
    public static final int SAMPLE = 1;
    /**
     * Flag: more frames from the same forward pass follow on this connection. The receiving stage
     * waits for the rest of the group (briefly) so that sessions computed together stay together
     * in its next pass, instead of the first frame starting a pass alone.
     */
    public static final int MORE = 2;

    public Frame {
        if (type == null || dtype == null || payload == null) {
            throw new IllegalArgumentException("a frame needs a type, a dtype and a payload (possibly empty)");
        }
        if (stage < 0 || stage > GATEWAY || flags < 0 || flags > 0xFF) {
            throw new IllegalArgumentException("stage must be 0.." + GATEWAY + " and flags one byte, got stage "
                    + stage + ", flags " + flags);
        }
        if (rows < 0 || cols < 0 || startPos < 0) {
            throw new IllegalArgumentException("rows, cols and start position must be ≥ 0, got " + rows + ", " + cols
                    + ", " + startPos);
        }
        switch (type) {
            case ACTIVATIONS -> {
                if (!dtype.carriesActivations() || rows < 1 || cols < 1) {
                    throw new IllegalArgumentException("activations need rows and cols ≥ 1 in f32, f16, bf16 or q8;"
                            + " got " + rows + "×" + cols + " " + dtype);
                }
                requirePayload(dtype.payloadBytes(rows, cols), payload);
            }
            case TOKENS -> {
                if (dtype != WireDType.I32 || rows < 1 || cols != 1) {
                    throw new IllegalArgumentException("tokens need rows ≥ 1, one column, dtype I32; got " + rows + "×"
                            + cols + " " + dtype);
                }
                requirePayload(4L * rows, payload);
            }
            default -> {
            }
        }
    }

    private static void requirePayload(long expected, byte[] payload) {
        if (payload.length != expected) {
            throw new IllegalArgumentException("the shape needs a payload of " + expected + " bytes, got "
                    + payload.length);
        }
    }

    public boolean samples() {
        return (flags & SAMPLE) != 0;
    }

    public boolean more() {
        return (flags & MORE) != 0;
    }

    /** This frame with {@link #MORE} set. */
    public Frame withMore() {
        return new Frame(type, flags | MORE, stage, sessionId, step, startPos, rows, cols, dtype, payload);
    }

    /** This frame addressed to another stage of the path. */
    public Frame toStage(int otherStage) {
        return new Frame(type, flags, otherStage, sessionId, step, startPos, rows, cols, dtype, payload);
    }

    public static Frame open(long sessionId, int stage, SessionOpen open) {
        return new Frame(FrameType.OPEN, 0, stage, sessionId, 0, 0, 0, 0, WireDType.I32, open.encode());
    }

    /** Tokens for stage 0 at positions {@code startPos ..}; with {@code sample}, step {@code step} is sampled after them. */
    public static Frame tokens(long sessionId, int step, int startPos, int[] tokens, boolean sample) {
        return new Frame(FrameType.TOKENS, sample ? SAMPLE : 0, 0, sessionId, step, startPos, tokens.length, 1,
                WireDType.I32, TokenIds.encode(tokens));
    }

    /** Hidden states ({@code payload} from {@link ActivationCodec#encode}) for stage {@code stage}. */
    public static Frame activations(long sessionId, int stage, int step, int startPos, int rows, int cols,
                                    WireDType dtype, byte[] payload, boolean sample) {
        return new Frame(FrameType.ACTIVATIONS, sample ? SAMPLE : 0, stage, sessionId, step, startPos, rows, cols,
                dtype, payload);
    }

    /** The token chosen at {@code step}, which will sit at {@code position}, for stage 0 or {@link #GATEWAY}. */
    public static Frame sampled(long sessionId, int stage, int step, int position, SampledToken token) {
        return new Frame(FrameType.SAMPLED, 0, stage, sessionId, step, position, 1, 1, WireDType.I32, token.encode());
    }

    public static Frame close(long sessionId, int stage) {
        return new Frame(FrameType.CLOSE, 0, stage, sessionId, 0, 0, 0, 0, WireDType.I32, new byte[0]);
    }

    public static Frame error(long sessionId, int stage, FrameError error) {
        return new Frame(FrameType.ERROR, 0, stage, sessionId, 0, 0, 0, 0, WireDType.I32, error.encode());
    }

    /** A ping carrying {@code payload} (e.g. a hidden state's worth of bytes, to time a hop as activations see it). */
    public static Frame ping(long nonce, byte[] payload) {
        return new Frame(FrameType.PING, 0, 0, nonce, 0, 0, 0, 0, WireDType.I32, payload);
    }

    public Frame pong() {
        return new Frame(FrameType.PONG, 0, 0, sessionId, 0, 0, 0, 0, WireDType.I32, payload);
    }

    @Override
    public String toString() {
        return type + "[session " + Long.toUnsignedString(sessionId, 16) + ", stage "
                + (stage == GATEWAY ? "gateway" : String.valueOf(stage)) + ", step " + step + ", pos " + startPos
                + ", " + rows + "×" + cols + " " + dtype + ", " + payload.length + " bytes"
                + (samples() ? ", sample" : "") + (more() ? ", more" : "") + "]";
    }
}
