package io.strata.mesh.transport;

import java.util.Locale;

/**
 * How numbers travel in a frame's payload. Activations go as F32 by default (exact: a split
 * model then gives the whole model's bits), or narrower to save bandwidth: F16 and BF16 (2 bytes,
 * rounded to nearest even), Q8 (per 32 values of a row, an F32 scale and 32 signed bytes).
 * Token ids go as I32.
 */
public enum WireDType {
    F32(0),
    F16(1),
    BF16(2),
    Q8(3),
    I32(4);

    /** Values per Q8 block, each block led by its F32 scale. */
    public static final int Q8_BLOCK = 32;

    final int code;

    WireDType(int code) {
        this.code = code;
    }

    static WireDType ofCode(int code) {
        for (WireDType d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        return null;
    }

    /** Payload bytes of {@code rows × cols} values in this type. */
    public long payloadBytes(int rows, int cols) {
        return switch (this) {
            case F32, I32 -> 4L * rows * cols;
            case F16, BF16 -> 2L * rows * cols;
            case Q8 -> (long) rows * (4L * ((cols + Q8_BLOCK - 1) / Q8_BLOCK) + cols);
        };
    }

    /** True for the types that can carry activations (every one but I32). */
    public boolean carriesActivations() {
        return this != I32;
    }

    /** Parses an activation type name ("f32", "F16", "bf16", "q8"), with a clear error for anything else. */
    public static WireDType parseActivations(String name) {
        try {
            WireDType d = valueOf(name.strip().toUpperCase(Locale.ROOT));
            if (d.carriesActivations()) {
                return d;
            }
        } catch (IllegalArgumentException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("wire dtype '" + name + "' is not one of f32, f16, bf16, q8");
    }
}
