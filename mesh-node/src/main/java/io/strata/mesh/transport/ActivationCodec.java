package io.strata.mesh.transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Hidden states to payload bytes and back, in each {@link WireDType}. F32 round-trips exactly;
 * F16 and BF16 round to the nearest even value; Q8 scales each block of 32 values of a row by
 * its largest magnitude over 127 and rounds to the nearest step (error at most half a step).
 */
public final class ActivationCodec {
    private ActivationCodec() {
    }

    /** {@code rows × cols} values of {@code x} from {@code offset} as a payload of type {@code dtype}. */
    public static byte[] encode(WireDType dtype, float[] x, int offset, int rows, int cols) {
        int n = rows * cols;
        if (offset < 0 || (long) offset + n > x.length) {
            throw new IllegalArgumentException(rows + "×" + cols + " values from " + offset + " do not fit an array of "
                    + x.length);
        }
        byte[] out = new byte[Math.toIntExact(dtype.payloadBytes(rows, cols))];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().put(x, offset, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    b.putShort(Float.floatToFloat16(x[offset + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    b.putShort(toBf16(x[offset + i]));
                }
            }
            case Q8 -> {
                for (int r = 0; r < rows; r++) {
                    int row = offset + r * cols;
                    for (int c = 0; c < cols; c += WireDType.Q8_BLOCK) {
                        int len = Math.min(WireDType.Q8_BLOCK, cols - c);
                        float max = 0;
                        for (int i = 0; i < len; i++) {
                            max = Math.max(max, Math.abs(x[row + c + i]));
                        }
                        float scale = max / 127f;
                        float inverse = scale == 0 ? 0 : 1f / scale;
                        b.putFloat(scale);
                        for (int i = 0; i < len; i++) {
                            b.put((byte) Math.round(x[row + c + i] * inverse));
                        }
                    }
                }
            }
            case I32 -> throw new IllegalArgumentException("activations travel as f32, f16, bf16 or q8, not i32");
        }
        return out;
    }

    /** The {@code rows × cols} values of a payload of type {@code dtype}. */
    public static float[] decode(WireDType dtype, byte[] payload, int rows, int cols) {
        long expected = dtype.payloadBytes(rows, cols);
        if (payload.length != expected) {
            throw new IllegalArgumentException(rows + "×" + cols + " " + dtype + " values take " + expected
                    + " bytes, the payload has " + payload.length);
        }
        int n = rows * cols;
        float[] x = new float[n];
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(x);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    x[i] = Float.float16ToFloat(b.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    x[i] = Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
                }
            }
            case Q8 -> {
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c += WireDType.Q8_BLOCK) {
                        int len = Math.min(WireDType.Q8_BLOCK, cols - c);
                        float scale = b.getFloat();
                        for (int i = 0; i < len; i++) {
                            x[r * cols + c + i] = b.get() * scale;
                        }
                    }
                }
            }
            case I32 -> throw new IllegalArgumentException("activations travel as f32, f16, bf16 or q8, not i32");
        }
        return x;
    }

    /** The upper half of an F32, rounded to nearest even; NaN stays a (quiet) NaN. */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
