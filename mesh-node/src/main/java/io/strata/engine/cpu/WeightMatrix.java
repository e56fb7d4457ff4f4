package io.strata.engine.cpu;

import io.strata.model.WeightTensor;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A weight matrix read in place from its tensor's bytes ({@code rows} rows of {@code cols}
 * values), with one subclass per encoding. A subclass supplies the dot product of one row with
 * an activation vector and the exact dequantisation of one row; the parallel matrix-vector and
 * batched products are written once, here.
 *
 * <p>Every dot product sums in one fixed order (vector accumulators, a fixed-order fold of the
 * lanes, then the scalar tail), whatever the thread, batch size or JIT tier, so a token gives
 * the same bits whether it is prefilled in a batch or decoded alone, and whichever stage
 * computes it.
 */
public abstract sealed class WeightMatrix permits F32Matrix, HalfMatrix, Q8_0Matrix, Q4_0Matrix, DecodedRowMatrix {
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Work handed to one thread at least: below this, dispatch costs more than it saves. */
    private static final int MIN_ELEMENTS_PER_CHUNK = 32 * 1024;
    /** Weight bytes a batched product applies to every token before moving on: well inside a core's L2. */
    private static final long TILE_BYTES = 256 * 1024;
    /** Decoded floats a batched product keeps per thread and applies to every token: well inside a core's L2. */
    private static final int DECODED_TILE_FLOATS = 64 * 1024;
    private static final ThreadLocal<float[]> DECODED_TILE = ThreadLocal.withInitial(() -> new float[0]);

    final String name;
    final MemorySegment data;
    final int rows;
    final int cols;

    WeightMatrix(String name, MemorySegment data, int rows, int cols) {
        this.name = name;
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    /** The tensor as a matrix of {@code tensor.rows()} rows of {@code tensor.cols()} values, without copying. */
    public static WeightMatrix of(WeightTensor tensor) {
        String name = tensor.name();
        MemorySegment data = tensor.data();
        int rows = tensor.rows();
        int cols = tensor.cols();
        return switch (tensor.encoding()) {
            case F32 -> new F32Matrix(name, data, rows, cols);
            case F16 -> new F16Matrix(name, data, rows, cols);
            case BF16 -> new BF16Matrix(name, data, rows, cols);
            case Q8_0 -> new Q8_0Matrix(name, data, rows, cols);
            case Q4_0 -> new Q4_0Matrix(name, data, rows, cols);
            case Q4_1 -> new Q4_1Matrix(name, data, rows, cols);
            case Q5_0 -> new Q5_0Matrix(name, data, rows, cols);
            case Q5_1 -> new Q5_1Matrix(name, data, rows, cols);
            case IQ4_NL -> new IQ4_NLMatrix(name, data, rows, cols);
            case Q2_K -> new Q2_KMatrix(name, data, rows, cols);
            case Q3_K -> new Q3_KMatrix(name, data, rows, cols);
            case Q4_K -> new Q4_KMatrix(name, data, rows, cols);
            case Q5_K -> new Q5_KMatrix(name, data, rows, cols);
            case Q6_K -> new Q6_KMatrix(name, data, rows, cols);
            case IQ4_XS -> new IQ4_XSMatrix(name, data, rows, cols);
        };
    }

    public String name() {
        return name;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** {@code sum_c W[row][c] * x[xOffset + c]}. */
    public float dot(int row, float[] x, int xOffset) {
        float[] out = new float[1];
        dotRows(row, row + 1, x, xOffset, out, -row);
        return out[0];
    }

    /**
     * The kernel: {@code out[outOffset + r] = sum_c W[r][c] * x[xOffset + c]} for rows {@code [from, to)}.
     * Each subclass writes its whole loop inline, because a helper that takes or returns a vector
     * and is not inlined makes the JIT allocate that vector on the heap.
     */
    abstract void dotRows(int from, int to, float[] x, int xOffset, float[] out, int outOffset);

    /** Row {@code row} as floats into {@code out[offset ..]}, each value exactly as stored. */
    public abstract void readRow(int row, float[] out, int offset);

    /** {@code out[r] = sum_c W[r][c] * x[c]}, rows shared among the CPU threads. */
    public void matvec(float[] x, float[] out) {
        matmul(x, 1, out);
    }

    /**
     * The batched product for {@code n} tokens: {@code x} is {@code [n × cols]}, {@code out} is
     * {@code [n × rows]}. Each thread takes a run of rows and applies every row to all n tokens
     * while it is in cache, so the weights are read from memory once for the whole batch.
     */
    public void matmul(float[] x, int n, float[] out) {
        checkProduct(x, n, out);
        Parallel.shared().forRows(rows, minRowsPerChunk(n), (from, to) -> matmulRows(x, n, out, from, to));
    }

    /**
     * Several products with the same input in one parallel pass ({@code outs[i] = matrices[i] · x}),
     * so threads meet at one barrier instead of one per matrix: the query, key and value
     * projections, for instance.
     */
    public static void matmulEach(float[] x, int n, WeightMatrix[] matrices, float[][] outs) {
        int total = 0;
        int minRows = Integer.MAX_VALUE;
        for (int i = 0; i < matrices.length; i++) {
            matrices[i].checkProduct(x, n, outs[i]);
            total += matrices[i].rows;
            minRows = Math.min(minRows, matrices[i].minRowsPerChunk(n));
        }
        Parallel.shared().forRows(total, minRows, (from, to) -> {
            int start = 0;
            for (int i = 0; i < matrices.length && start < to; i++) {
                WeightMatrix m = matrices[i];
                int lo = Math.max(from, start);
                int hi = Math.min(to, start + m.rows);
                if (lo < hi) {
                    m.matmulRows(x, n, outs[i], lo - start, hi - start);
                }
                start += m.rows;
            }
        });
    }

    /**
     * Rows {@code [from, to)} of the batched product, on the calling thread: the unit of work that
     * {@link #matmul} hands to each thread, for callers that fuse other work into the same pass.
     */
    public void matmulRows(float[] x, int n, float[] out, int from, int to) {
        if (n == 1) {
            dotRows(from, to, x, 0, out, 0);
            return;
        }
        dotRowsBatch(from, to, x, n, out);
    }

    /**
     * The batched kernel: {@code out[t * rows + r] = sum_c W[r][c] * x[t * cols + c]} for rows
     * {@code [from, to)} and tokens {@code [0, n)}, each value bit for bit what {@link #dotRows}
     * gives token t alone. This default applies {@code dotRows} to each token in turn over row tiles
     * that stay in L2, so the weights come from memory once; an encoding overrides it to decode
     * each weight once for all tokens ({@link #dotRowsDecoded}).
     */
    void dotRowsBatch(int from, int to, float[] x, int n, float[] out) {
        int tileRows = (int) Math.max(1, TILE_BYTES / Math.max(1, rowBytes()));
        for (int r = from; r < to; r += tileRows) {
            int end = Math.min(to, r + tileRows);
            for (int t = 0; t < n; t++) {
                dotRows(r, end, x, t * cols, out, t * rows);
            }
        }
    }

    /**
     * {@link #dotRowsBatch} for an encoding whose {@code dotRows} sums each row exactly as
     * {@link F32Matrix} sums the row's decoded values (decoding being exact): each tile of rows is
     * decoded once into a per-thread float buffer that stays in L2 and multiplied by every token
     * there ({@link TileProduct}).
     */
    final void dotRowsDecoded(int from, int to, float[] x, int n, float[] out) {
        int tileRows = Math.max(2, DECODED_TILE_FLOATS / cols);
        float[] tile = DECODED_TILE.get();
        if (tile.length < tileRows * cols) {
            tile = new float[tileRows * cols];
            DECODED_TILE.set(tile);
        }
        for (int r = from; r < to; r += tileRows) {
            int end = Math.min(to, r + tileRows);
            decodeRows(r, end, tile);
            TileProduct.apply(tile, end - r, cols, x, n, out, rows, r);
        }
    }

    /** Rows {@code [from, to)} as floats, one after another from {@code dst[0]}, each value exactly as stored. */
    void decodeRows(int from, int to, float[] dst) {
        for (int r = from; r < to; r++) {
            readRow(r, dst, (r - from) * cols);
        }
    }

    /**
     * For kernels that read rows {@code [from, to)} as {@code streams} equal runs of consecutive
     * bytes side by side, each run a slice addressed with the same int offset (with int offsets the
     * JIT hoists the slices' bounds checks out of the loop): the rows in each run, or 0 when a run
     * would be too long for int offsets (the kernel then goes row by row).
     */
    static int rowsPerStream(int from, int to, int streams, long rowBytes) {
        int perStream = (to - from) / streams;
        return perStream * rowBytes > Integer.MAX_VALUE ? 0 : perStream;
    }

    /** Run {@code s} of {@link #rowsPerStream}: rows {@code from + s * perStream} onwards, as a slice of its own. */
    MemorySegment stream(int from, int perStream, int s, long rowBytes) {
        return data.asSlice((from + (long) s * perStream) * rowBytes, perStream * rowBytes);
    }

    /** A quantised block's F16 scale at {@code at}, in every lane. */
    static FloatVector blockScale(MemorySegment w, long at) {
        return FloatVector.broadcast(Lanes.F, Float.float16ToFloat(w.get(SHORT_LE, at)));
    }

    /** The fewest rows worth handing to a thread for a batch of {@code n}. */
    public int minRowsPerChunk(int n) {
        return Math.max(1, MIN_ELEMENTS_PER_CHUNK / Math.max(1, cols * n));
    }

    private void checkProduct(float[] x, int n, float[] out) {
        if (n < 1 || x.length < (long) n * cols || out.length < (long) n * rows) {
            throw new IllegalArgumentException(name + ": product of " + rows + "×" + cols + " with " + n
                    + " tokens needs x of " + (long) n * cols + " and out of " + (long) n * rows
                    + " floats, got " + x.length + " and " + out.length);
        }
    }

    private long rowBytes() {
        return data.byteSize() / Math.max(1, rows);
    }

    /**
     * The sum of a vector's lanes (stored into {@code lanes}) in one fixed order. {@code reduceLanes}
     * is not used: its order is left to the platform, and may differ between interpreted and compiled code.
     */
    static float sumLanes(float[] lanes) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        for (int i = 0; i < lanes.length; i += 4) {
            s0 += lanes[i];
            s1 += lanes[i + 1];
            s2 += lanes[i + 2];
            s3 += lanes[i + 3];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " " + name + " [" + rows + " × " + cols + "]";
    }
}
