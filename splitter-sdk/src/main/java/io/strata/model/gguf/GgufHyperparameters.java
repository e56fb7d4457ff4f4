package io.strata.model.gguf;

import io.strata.model.ModelConfig;
import io.strata.model.RopeLayout;

/**
 * A {@link ModelConfig} in GGUF's words: the {@code general.*} and {@code {arch}.*} keys that
 * llama.cpp writes and {@link GgufModel} reads back, so a model from any format can be written
 * as a GGUF file that both understand.
 */
public final class GgufHyperparameters {
    private GgufHyperparameters() {
    }

    public static void put(GgufWriter w, ModelConfig c, String name) {
        String a = c.architecture();
        w.put("general.architecture", GgufValue.ofString(a));
        w.put("general.name", GgufValue.ofString(name));
        w.put(a + ".context_length", GgufValue.ofUint32(c.contextLength()));
        w.put(a + ".embedding_length", GgufValue.ofUint32(c.dim()));
        w.put(a + ".block_count", GgufValue.ofUint32(c.layers()));
        w.put(a + ".feed_forward_length", GgufValue.ofUint32(c.hiddenDim()));
        w.put(a + ".rope.dimension_count", GgufValue.ofUint32(c.ropeDims()));
        w.put(a + ".attention.head_count", GgufValue.ofUint32(c.heads()));
        w.put(a + ".attention.head_count_kv", GgufValue.ofUint32(c.kvHeads()));
        w.put(a + ".attention.key_length", GgufValue.ofUint32(c.headSize()));
        w.put(a + ".attention.value_length", GgufValue.ofUint32(c.headSize()));
        w.put(a + (c.traits().layerNorm() ? ".attention.layer_norm_epsilon" : ".attention.layer_norm_rms_epsilon"),
                GgufValue.ofFloat32(c.rmsNormEps()));
        w.put(a + ".rope.freq_base", GgufValue.ofFloat32(c.ropeTheta()));
        GgufArchitecture.put(w, a, c.traits());
        RopeLayout natural = GgufArchitecture.naturalLayout(a);
        if (c.ropeLayout() != natural) {
            // weights kept in the other layout (a Hugging Face llama): say so, or RoPE would pair the wrong dims
            w.put(SplitArtifactKeys.ROPE_LAYOUT, GgufValue.ofString(c.ropeLayout().name().toLowerCase(java.util.Locale.ROOT)));
        }
    }
}
