package io.strata.synthetic;

import io.strata.model.ArchitectureTraits.RopeScaling;
import io.strata.model.ExpectedTensors;
import io.strata.model.ModelConfig;
import io.strata.model.RopeLayout;
import io.strata.model.TensorNames;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights of a synthetic model, drawn on demand: any row of any tensor is a pure function
 * of (seed, tensor name, row), so tensors are generated row by row in any order, on any
 * number of threads, with no state and bounded memory.
 *
 * <p>Rows are defined in GGUF's layout (RoPE on adjacent pairs). The Hugging Face output takes
 * the q and k rows through {@link #adjacentRowOfRotateHalfRow} so both files hold one model.
 *
 * <p>Matrices and the embedding are uniform with standard deviation 0.02 (as trained Llamas
 * are initialised), norm weights 1 ± 0.09 on a 1/128 grid: activations keep a sane size.
 */
public final class SyntheticWeights {
    static final float MATRIX_STDDEV = 0.02f;
    private static final float MATRIX_HALF_WIDTH = (float) (MATRIX_STDDEV * Math.sqrt(3));
    /** Norm weights are 1 + k/128 for k in [-12, 12]. */
    private static final int NORM_STEPS = 12;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final SyntheticSpec spec;
    private final ModelConfig config;
    private final Map<String, long[]> shapes;

    public SyntheticWeights(SyntheticSpec spec) {
        this.spec = spec;
        this.config = spec.shape().config(RopeLayout.ADJACENT_PAIRS);
        Map<String, long[]> m = new LinkedHashMap<>();
        if (spec.shape().ropeScaling().kind() != RopeScaling.Kind.NONE) {
            m.put(TensorNames.ROPE_FREQS, new long[] {config.headSize() / 2}); // first, where llama.cpp's converter puts it
        }
        m.putAll(ExpectedTensors.of(config, 0, config.layers(), true, true));
        this.shapes = m;
    }

    public SyntheticSpec spec() {
        return spec;
    }

    /**
     * Every tensor of the GGUF file by canonical name with its GGML-order shape, in file order:
     * the weights, and first {@code rope_freqs.weight} when the shape scales RoPE (a Hugging Face
     * folder states that in config.json instead).
     */
    public Map<String, long[]> shapes() {
        return shapes;
    }

    /**
     * Fills {@code dst[off .. off+length)} with row {@code row} (GGUF layout) of tensor {@code name}.
     *
     * @throws IllegalArgumentException for an unknown tensor, a row out of range or a wrong length
     */
    public void fillRow(String name, long row, float[] dst, int off, int length) {
        long[] shape = shapes.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("the synthetic model has no tensor " + name);
        }
        long rows = shape.length == 1 ? 1 : shape[1];
        if (row < 0 || row >= rows || length != shape[0]) {
            throw new IllegalArgumentException("tensor " + name + " has " + rows + " rows of " + shape[0]
                    + "; asked for row " + row + " of " + length);
        }
        if (name.equals(TensorNames.ROPE_FREQS)) {
            System.arraycopy(spec.shape().ropeDivisors(), 0, dst, off, length); // derived from the config, not drawn
            return;
        }
        long rowKey = mix64(mix64(spec.seed() ^ nameKey(name)) + row * GOLDEN);
        boolean norm = shape.length == 1;
        int i = 0;
        for (long counter = 1; i < length; counter++) {
            long z = mix64(rowKey + counter * GOLDEN);
            dst[off + i++] = value(norm, (int) (z >>> 40));
            if (i < length) {
                dst[off + i++] = value(norm, (int) (z >>> 8) & 0xFFFFFF);
            }
        }
    }

    /**
     * Norm weights sit on a grid of 1/128 so BF16 and F16 hold them exactly: a Hugging Face
     * folder in BF16 (norms in BF16) is then the same model as the GGUF (norms in F32).
     */
    private static float value(boolean norm, int bits24) {
        float u = unit(bits24);
        return norm ? 1f + Math.round(u * NORM_STEPS) / 128f : u * MATRIX_HALF_WIDTH;
    }

    /**
     * Which GGUF row a Hugging Face q or k row holds. convert_llama_weights_to_hf.py permutes
     * each head so adjacent-pair rows 2i and 2i+1 become rows i and i + headSize/2.
     */
    public static long adjacentRowOfRotateHalfRow(long hfRow, int headSize) {
        long head = hfRow / headSize;
        int within = (int) (hfRow % headSize);
        int half = headSize / 2;
        int source = within < half ? 2 * within : 2 * (within - half) + 1;
        return head * headSize + source;
    }

    /** True for the tensors whose rows the rotate-half layout permutes. */
    public static boolean isRopePermuted(String name) {
        int l = TensorNames.layerOf(name);
        return l >= 0 && (name.equals(TensorNames.attnQ(l)) || name.equals(TensorNames.attnK(l)));
    }

    /** A 24-bit integer as a value in [-1, 1). */
    private static float unit(int bits24) {
        return bits24 * 0x1p-23f - 1f;
    }

    /** FNV-1a over the name, so each tensor has its own stream whatever order tensors are made in. */
    private static long nameKey(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser: a counter in, 64 well-mixed bits out. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
