package io.strata.mesh.transport;

import java.util.function.IntSupplier;

/**
 * How large a frame the receiving node can need, judged from the header alone, before any byte
 * of the payload is allocated: a stranger's header claiming 256 MiB must cost nothing. Token and
 * hidden-state frames are bounded by rows × width × dtype (the width being the widest hidden state
 * of the blocks this node serves), the rest by small fixed sizes.
 */
@FunctionalInterface
public interface FrameLimits {
    /** Rows in one TOKENS or ACTIVATIONS frame: a stage's largest pass (and a prompt chunk is smaller). */
    int MAX_ROWS = 512;
    /** OPEN, SAMPLED, CLOSE and ERROR carry a path, sampling parameters, stop strings, a message: a few KiB. */
    int MAX_CONTROL_PAYLOAD = 64 << 10;
    /** PING payloads mimic one hidden state (a hop's timing), at most 1 MiB. */
    int MAX_PING_PAYLOAD = 1 << 20;

    /** Only the absolute ceiling ({@link FrameCodec#MAX_PAYLOAD}): for a transport used alone (tests, tools). */
    FrameLimits CEILING = (type, stage, rows, cols, dtype, payloadBytes) -> {
    };

    /**
     * Throws when no block on this node could need a frame with this header; the connection is then
     * closed before the payload is read.
     */
    void check(FrameType type, int stage, int rows, int cols, WireDType dtype, int payloadBytes)
            throws BadFrameException;

    /** Limits for a node whose widest served hidden state is {@code widestHidden} values (0: it serves none). */
    static FrameLimits forBlocks(IntSupplier widestHidden) {
        return (type, stage, rows, cols, dtype, payloadBytes) -> {
            switch (type) {
                case TOKENS -> {
                    requireRows(type, rows);
                    require(payloadBytes == 4L * rows, type, payloadBytes, 4L * rows);
                }
                case ACTIVATIONS -> {
                    requireRows(type, rows);
                    int widest = widestHidden.getAsInt();
                    if (cols < 1 || cols > widest) {
                        throw new BadFrameException("an ACTIVATIONS frame of width " + cols + " but the blocks this"
                                + " node serves are at most " + widest + " wide");
                    }
                    require(dtype.carriesActivations() && payloadBytes == dtype.payloadBytes(rows, cols), type,
                            payloadBytes, dtype.payloadBytes(rows, cols));
                }
                case PING, PONG -> {
                    if (payloadBytes > MAX_PING_PAYLOAD) {
                        throw new BadFrameException("a " + type + " of " + payloadBytes + " bytes; at most "
                                + MAX_PING_PAYLOAD + " are accepted");
                    }
                }
                default -> {
                    if (payloadBytes > MAX_CONTROL_PAYLOAD) {
                        throw new BadFrameException("a " + type + " frame of " + payloadBytes + " bytes; at most "
                                + MAX_CONTROL_PAYLOAD + " are accepted");
                    }
                }
            }
        };
    }

    private static void requireRows(FrameType type, int rows) throws BadFrameException {
        if (rows < 1 || rows > MAX_ROWS) {
            throw new BadFrameException("a " + type + " frame of " + rows + " rows; a stage takes 1.." + MAX_ROWS);
        }
    }

    private static void require(boolean ok, FrameType type, int payloadBytes, long expected) throws BadFrameException {
        if (!ok) {
            throw new BadFrameException("a " + type + " frame claims " + payloadBytes + " payload bytes where its shape"
                    + " needs " + expected);
        }
    }
}
