package io.strata.mesh.transport;

/** What a frame carries; the byte is its code on the wire. */
public enum FrameType {
    /** Opens a session on a stage: sampling, limits and the path, as a {@link SessionOpen} payload. */
    OPEN(1),
    /** Token ids into stage 0: a prompt chunk, a replay, or the token sampled last. */
    TOKENS(2),
    /** Hidden states from one stage to the next, {@code [rows × cols]} in the frame's dtype. */
    ACTIVATIONS(3),
    /** The token the last stage chose, as a {@link SampledToken}: to stage 0 (next step) and to the gateway. */
    SAMPLED(4),
    /** Ends a session on a stage, which passes it down the path. */
    CLOSE(5),
    /** Something went wrong for a session, as a {@link FrameError}. */
    ERROR(6),
    /** Asks the receiver to echo the payload back as a PONG on the same connection. */
    PING(7),
    /** The echo of a PING. */
    PONG(8);

    private static final FrameType[] BY_CODE = new FrameType[9];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The type with this code, or null when there is none. */
    static FrameType ofCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
