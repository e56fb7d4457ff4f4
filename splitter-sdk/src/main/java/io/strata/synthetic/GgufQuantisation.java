package io.strata.synthetic;

import io.strata.model.TensorEncoding;
import io.strata.model.TensorNames;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which encoding each tensor of a synthetic GGUF file is stored in, named as llama-quantize names
 * its presets: one encoding for every matrix ({@code Q4_K}, {@code Q8_0}, …), or a "_M" mix
 * ({@code Q4_K_M}, {@code Q5_K_M}) that keeps the classifier and some layers' attn_v and ffn_down
 * in Q6_K, as llama-quantize does. Norms are always F32; a matrix whose rows are not whole blocks
 * takes llama-quantize's fallback encoding.
 *
 * @param name     the preset's name
 * @param base     the encoding of most matrices
 * @param moreBits whether this is an "_M" mix
 */
public record GgufQuantisation(String name, TensorEncoding base, boolean moreBits) {

    /** Every matrix in {@code encoding}. */
    public static GgufQuantisation of(TensorEncoding encoding) {
        return new GgufQuantisation(encoding.name(), encoding, false);
    }

    /**
     * The preset called {@code name} (case ignored): an encoding's name or a mix's.
     *
     * @throws IllegalArgumentException naming the presets there are
     */
    public static GgufQuantisation parse(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        switch (n) {
            case "Q4_K_M" -> {
                return new GgufQuantisation(n, TensorEncoding.Q4_K, true);
            }
            case "Q5_K_M" -> {
                return new GgufQuantisation(n, TensorEncoding.Q5_K, true);
            }
            default -> {
                for (TensorEncoding e : TensorEncoding.values()) {
                    if (e.name().equals(n)) {
                        return of(e);
                    }
                }
                throw new IllegalArgumentException("encoding must be one of " + names() + ", got '" + name + "'");
            }
        }
    }

    /** The names {@link #parse} accepts, for usage lines and errors. */
    public static String names() {
        return Arrays.stream(TensorEncoding.values()).map(Enum::name).collect(Collectors.joining("|")) + "|Q4_K_M|Q5_K_M";
    }

    /** llama.cpp's {@code general.file_type} for this preset. */
    public int fileType() {
        if (moreBits) {
            return base == TensorEncoding.Q4_K ? 15 : 17;
        }
        return switch (base) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q4_1 -> 3;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q2_K -> 10;
            case Q3_K -> 12;
            case Q4_K -> 14;
            case Q5_K -> 16;
            case Q6_K -> 18;
            case IQ4_NL -> 25;
            case IQ4_XS -> 30;
            case BF16 -> 32;
        };
    }

    /** The encoding of tensor {@code tensor} of shape {@code shape} in a model of {@code layers} layers. */
    public TensorEncoding encodingOf(String tensor, long[] shape, int layers) {
        if (shape.length == 1) {
            return TensorEncoding.F32;
        }
        TensorEncoding wanted = base;
        if (moreBits) {
            int layer = TensorNames.layerOf(tensor);
            boolean more = tensor.equals(TensorNames.OUTPUT)
                    || layer >= 0 && (tensor.equals(TensorNames.attnV(layer)) || tensor.equals(TensorNames.ffnDown(layer)))
                    && usesMoreBits(layer, layers);
            wanted = more ? TensorEncoding.Q6_K : base;
        }
        return fitting(wanted, shape[0]);
    }

    /** llama-quantize's choice of layers that keep more bits: the first and last eighth, and every third between. */
    static boolean usesMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    /** {@code wanted}, or llama-quantize's fallback when rows of {@code cols} are not whole blocks of it. */
    static TensorEncoding fitting(TensorEncoding wanted, long cols) {
        if (cols % wanted.blockSize() == 0) {
            return wanted;
        }
        TensorEncoding fallback = switch (wanted) {
            case Q2_K, Q3_K, IQ4_XS -> TensorEncoding.IQ4_NL;
            case Q4_K -> TensorEncoding.Q5_0;
            case Q5_K -> TensorEncoding.Q5_1;
            case Q6_K -> TensorEncoding.Q8_0;
            default -> TensorEncoding.F16;
        };
        return cols % fallback.blockSize() == 0 ? fallback : TensorEncoding.F16;
    }
}
