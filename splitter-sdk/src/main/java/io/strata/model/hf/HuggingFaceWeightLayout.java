package io.strata.model.hf;

import io.strata.model.ModelConfig;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Brings the Hugging Face tensors whose layout is not the canonical one into it, as owned copies
 * in the same encoding (elements are moved, never converted): GPT-2's Conv1D weights, stored
 * {@code [in, out]}, are transposed to {@code out} rows of {@code in}; GPT-NeoX's fused
 * query_key_value, stored per head as {@code [heads, 3, headSize]}, is reordered to q, k, v one
 * after the other. These families are small, so the copies cost little; every other tensor stays in
 * the mapped file. Split artifacts are written from the canonical tensors, so they hold llama.cpp's
 * layout for {@code gpt2} and {@code gptneox}.
 */
final class HuggingFaceWeightLayout {
    private HuggingFaceWeightLayout() {
    }

    /** {@code t} (canonical name {@code canonical}) in the canonical layout of a {@code modelType} model. */
    static WeightTensor canonical(String modelType, ModelConfig c, String canonical, WeightTensor t) {
        int l = TensorNames.layerOf(canonical);
        if (l < 0) {
            return t;
        }
        if (modelType.equals("gpt2") && t.dimensions() == 2 && (canonical.equals(TensorNames.attnQkv(l))
                || canonical.equals(TensorNames.attnOutput(l)) || canonical.equals(TensorNames.ffnUp(l))
                || canonical.equals(TensorNames.ffnDown(l)))) {
            return transposed(t);
        }
        if (modelType.equals("gpt_neox") && (canonical.equals(TensorNames.attnQkv(l))
                || canonical.equals(TensorNames.attnQkvBias(l)))) {
            return qkvByKind(t, c.heads(), c.headSize());
        }
        return t;
    }

    /** A {@code rows × cols} matrix as {@code cols × rows}. */
    private static WeightTensor transposed(WeightTensor t) {
        int rows = t.rows();
        int cols = t.cols();
        int e = Math.toIntExact(t.encoding().byteSize(1));
        MemorySegment from = t.data();
        MemorySegment to = Arena.ofAuto().allocate(t.byteSize(), 64);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                MemorySegment.copy(from, ((long) r * cols + c) * e, to, ((long) c * rows + r) * e, e);
            }
        }
        return new WeightTensor(t.name(), t.encoding(), new long[] {rows, cols}, to);
    }

    /** Rows in head-major order {@code [heads, 3, headSize]} moved to {@code [3, heads, headSize]}. */
    private static WeightTensor qkvByKind(WeightTensor t, int heads, int headSize) {
        long rowBytes = t.dimensions() == 1 ? t.encoding().byteSize(1) : t.encoding().byteSize(t.cols());
        long blockBytes = rowBytes * headSize;
        MemorySegment from = t.data();
        MemorySegment to = Arena.ofAuto().allocate(t.byteSize(), 64);
        for (int h = 0; h < heads; h++) {
            for (int kind = 0; kind < 3; kind++) {
                MemorySegment.copy(from, ((long) h * 3 + kind) * blockBytes, to, ((long) kind * heads + h) * blockBytes,
                        blockBytes);
            }
        }
        return new WeightTensor(t.name(), t.encoding(), t.shape(), to);
    }
}
