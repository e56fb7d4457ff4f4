package io.strata.cuda;

/**
 * The kernels' math written plainly on the host, in double where order does not matter, as the
 * reference the device results are held against. Also encodes random weights in the GGML block layouts.
 */
final class HostMath {
    private HostMath() {
    }

    /** Row r of a weight matrix in {@code encoding}, decoded to float. */
    static float[] decodeRow(String encoding, byte[] w, int r, int cols) {
        float[] row = new float[cols];
        for (int c = 0; c < cols; c++) {
            row[c] = switch (encoding) {
                case "f32" -> Float.intBitsToFloat(le32(w, ((long) r * cols + c) * 4));
                case "f16" -> Float.float16ToFloat((short) le16(w, ((long) r * cols + c) * 2));
                case "bf16" -> Float.intBitsToFloat(le16(w, ((long) r * cols + c) * 2) << 16);
                case "q8_0" -> {
                    long block = ((long) r * (cols / 32) + c / 32) * 34;
                    yield Float.float16ToFloat((short) le16(w, block)) * w[(int) block + 2 + c % 32];
                }
                case "q4_0" -> {
                    long block = ((long) r * (cols / 32) + c / 32) * 18;
                    int j = c % 32;
                    int q = w[(int) block + 2 + (j & 15)] & 0xff;
                    int nibble = j < 16 ? q & 15 : q >> 4;
                    yield Float.float16ToFloat((short) le16(w, block)) * (nibble - 8);
                }
                default -> throw new IllegalArgumentException(encoding);
            };
        }
        return row;
    }

    /** Random weights of rows × cols in {@code encoding}, values about ±1. */
    static byte[] randomWeights(String encoding, int rows, int cols, java.util.Random random) {
        long values = (long) rows * cols;
        byte[] w = switch (encoding) {
            case "f32" -> new byte[(int) values * 4];
            case "f16", "bf16" -> new byte[(int) values * 2];
            case "q8_0" -> new byte[(int) (values / 32 * 34)];
            case "q4_0" -> new byte[(int) (values / 32 * 18)];
            default -> throw new IllegalArgumentException(encoding);
        };
        switch (encoding) {
            case "f32" -> {
                for (int i = 0; i < values; i++) put32(w, i * 4L, Float.floatToRawIntBits(random.nextFloat(-1, 1)));
            }
            case "f16" -> {
                for (int i = 0; i < values; i++) put16(w, i * 2L, Float.floatToFloat16(random.nextFloat(-1, 1)));
            }
            case "bf16" -> {
                for (int i = 0; i < values; i++) put16(w, i * 2L, Float.floatToRawIntBits(random.nextFloat(-1, 1)) >>> 16);
            }
            default -> {
                int blockBytes = encoding.equals("q8_0") ? 34 : 18;
                random.nextBytes(w);
                for (long b = 0; b < values / 32; b++) {
                    put16(w, b * blockBytes, Float.floatToFloat16(random.nextFloat(0.001f, 0.05f)));
                }
            }
        }
        return w;
    }

    static float[] matmul(String encoding, byte[] w, int rows, int cols, float[] x, int n) {
        float[] y = new float[n * rows];
        for (int r = 0; r < rows; r++) {
            float[] row = decodeRow(encoding, w, r, cols);
            for (int t = 0; t < n; t++) {
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += (double) row[c] * x[t * cols + c];
                }
                y[t * rows + r] = (float) sum;
            }
        }
        return y;
    }

    static float[] rmsnorm(float[] x, float[] weight, int dim, int n, float eps) {
        float[] out = new float[x.length];
        for (int t = 0; t < n; t++) {
            double ss = 0;
            for (int i = 0; i < dim; i++) {
                ss += (double) x[t * dim + i] * x[t * dim + i];
            }
            double scale = 1 / Math.sqrt(ss / dim + eps);
            for (int i = 0; i < dim; i++) {
                out[t * dim + i] = (float) (weight[i] * scale * x[t * dim + i]);
            }
        }
        return out;
    }

    static float[] rope(float[] x, float[] cos, float[] sin, int heads, int headDim, int n, boolean adjacent) {
        float[] out = x.clone();
        int half = headDim / 2;
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    int a = adjacent ? base + 2 * i : base + i;
                    int b = adjacent ? a + 1 : a + half;
                    double c = cos[t * half + i];
                    double s = sin[t * half + i];
                    out[a] = (float) (x[a] * c - x[b] * s);
                    out[b] = (float) (x[a] * s + x[b] * c);
                }
            }
        }
        return out;
    }

    /** Causal GQA of one row: q [heads × headDim] against cache rows 0..pos of [pos][kvHeads][headDim]. */
    static float[] attention(float[] q, int qOffset, float[] keys, float[] values, int pos, int heads, int kvHeads,
                             int headDim, float scale) {
        float[] out = new float[heads * headDim];
        int kvDim = kvHeads * headDim;
        for (int h = 0; h < heads; h++) {
            int kvh = h / (heads / kvHeads);
            double[] scores = new double[pos + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= pos; j++) {
                double dot = 0;
                for (int d = 0; d < headDim; d++) {
                    dot += (double) q[qOffset + h * headDim + d] * keys[j * kvDim + kvh * headDim + d];
                }
                scores[j] = dot * scale;
                max = Math.max(max, scores[j]);
            }
            double total = 0;
            for (int j = 0; j <= pos; j++) {
                scores[j] = Math.exp(scores[j] - max);
                total += scores[j];
            }
            for (int d = 0; d < headDim; d++) {
                double acc = 0;
                for (int j = 0; j <= pos; j++) {
                    acc += scores[j] / total * values[j * kvDim + kvh * headDim + d];
                }
                out[h * headDim + d] = (float) acc;
            }
        }
        return out;
    }

    static int le16(byte[] b, long at) {
        return (b[(int) at] & 0xff) | (b[(int) at + 1] & 0xff) << 8;
    }

    static int le32(byte[] b, long at) {
        return le16(b, at) | le16(b, at + 2) << 16;
    }

    static void put16(byte[] b, long at, int v) {
        b[(int) at] = (byte) v;
        b[(int) at + 1] = (byte) (v >> 8);
    }

    static void put32(byte[] b, long at, int v) {
        put16(b, at, v);
        put16(b, at + 2, v >> 16);
    }
}
