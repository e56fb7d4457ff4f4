package io.strata.split;

import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;

/**
 * What each part of a model costs in bytes: the planner's view of a model.
 *
 * @param layerBytes        weight bytes of each transformer block
 * @param embeddingBytes    the token embedding, held by the first stage
 * @param headBytes         final norm and classifier, held by the last stage (the embedding again when tied)
 * @param kvBytesPerToken   KV-cache bytes one layer needs per position (keys and values, F32)
 * @param logitsBytes       the last stage's logits buffer
 */
public record ModelFootprint(long[] layerBytes, long embeddingBytes, long headBytes, long kvBytesPerToken,
                             long logitsBytes) {

    public static ModelFootprint of(LoadedModel model) {
        ModelConfig c = model.config();
        long[] layers = new long[c.layers()];
        long embedding = 0;
        long head = 0;
        for (WeightTensor t : model.tensors().values()) {
            int layer = TensorNames.layerOf(t.name());
            if (layer >= 0 && layer < layers.length) {
                layers[layer] += t.byteSize();
            } else if (t.name().equals(TensorNames.TOKEN_EMBEDDING)) {
                embedding += t.byteSize();
            } else {
                head += t.byteSize();
            }
        }
        if (model.optionalTensor(TensorNames.OUTPUT).isEmpty()) {
            head += embedding; // tied classifier: the last stage needs the embedding too
        }
        long kv = 2L * c.kvDim() * Float.BYTES;
        return new ModelFootprint(layers, embedding, head, kv, (long) c.vocabSize() * Float.BYTES);
    }

    public int layers() {
        return layerBytes.length;
    }

    /** Weight bytes of layers [first, last), plus the embedding and head where they land. */
    public long weightBytes(int first, int last) {
        long sum = 0;
        for (int l = first; l < last; l++) {
            sum += layerBytes[l];
        }
        if (first == 0) {
            sum += embeddingBytes;
        }
        if (last == layerBytes.length) {
            sum += headBytes;
        }
        return sum;
    }

    /** Bytes read per decoded token (the embedding contributes one row, so it is left out). */
    public long bytesReadPerToken(int first, int last) {
        long sum = weightBytes(first, last);
        if (first == 0) {
            sum -= embeddingBytes;
        }
        return sum;
    }

    /** Memory a stage needs: its weights, its KV cache for {@code contextTokens}, and the logits on the last stage. */
    public long memoryBytes(int first, int last, int contextTokens) {
        long need = weightBytes(first, last) + (long) (last - first) * kvBytesPerToken * contextTokens;
        if (last == layerBytes.length) {
            need += logitsBytes;
        }
        return need;
    }
}
