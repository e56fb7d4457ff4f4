package io.strata.model.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * How the K-quants pack their sub-block scales, read as ggml reads them: Q4_K/Q5_K keep eight
 * 6-bit scales and eight 6-bit minimums in 12 bytes ({@code get_scale_min_k4}), Q3_K sixteen
 * 6-bit scales offset by 32 in 12 bytes. Shared by the codecs and the engine's kernels.
 */
public final class KQuantScales {
    private KQuantScales() {
    }

    /** Scale {@code j} (0..7) of the 12 bytes at {@code at}, Q4_K/Q5_K layout. */
    public static int k4Scale(MemorySegment s, long at, int j) {
        return j < 4 ? u8(s, at + j) & 63 : (u8(s, at + j + 4) & 0x0F) | (u8(s, at + j - 4) >>> 6) << 4;
    }

    /** Minimum {@code j} (0..7) of the 12 bytes at {@code at}, Q4_K/Q5_K layout. */
    public static int k4Min(MemorySegment s, long at, int j) {
        return j < 4 ? u8(s, at + j + 4) & 63 : (u8(s, at + j + 4) >>> 4) | (u8(s, at + j) >>> 6) << 4;
    }

    /** Signed scale {@code i} (0..15, −32..31) of the 12 bytes at {@code at}, Q3_K layout. */
    public static int q3Scale(MemorySegment s, long at, int i) {
        int low = i < 8 ? u8(s, at + i) & 0x0F : u8(s, at + i - 8) >>> 4;
        int high = (u8(s, at + 8 + i % 4) >>> (2 * (i / 4))) & 3;
        return (low | high << 4) - 32;
    }

    /** Packs eight scales and minimums (0..63) the way {@link #k4Scale}/{@link #k4Min} read them. */
    static byte[] packK4(int[] sc, int[] m) {
        byte[] out = new byte[12];
        for (int j = 0; j < 4; j++) {
            out[j] = (byte) ((sc[j] & 63) | (sc[j + 4] >>> 4) << 6);
            out[j + 4] = (byte) ((m[j] & 63) | (m[j + 4] >>> 4) << 6);
        }
        for (int j = 4; j < 8; j++) {
            out[j + 4] = (byte) ((sc[j] & 0x0F) | (m[j] & 0x0F) << 4);
        }
        return out;
    }

    /** Packs sixteen signed scales (−32..31) the way {@link #q3Scale} reads them. */
    static byte[] packQ3(int[] scales) {
        byte[] out = new byte[12];
        for (int i = 0; i < 16; i++) {
            int s6 = scales[i] + 32;
            if (i < 8) {
                out[i] |= (byte) (s6 & 0x0F);
            } else {
                out[i - 8] |= (byte) ((s6 & 0x0F) << 4);
            }
            out[8 + i % 4] |= (byte) (((s6 >>> 4) & 3) << (2 * (i / 4)));
        }
        return out;
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }
}
