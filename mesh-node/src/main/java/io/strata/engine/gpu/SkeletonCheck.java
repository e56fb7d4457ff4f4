package io.strata.engine.gpu;

import io.strata.model.ArchitectureTraits;
import io.strata.model.LoadedModel;
import io.strata.model.TensorNames;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the GPU layer loop computes is the plain Llama skeleton (RMSNorm, q/k/v with optional biases,
 * plain RoPE, full causal attention, dense SwiGLU). A model that needs more is refused at load in one
 * line rather than run wrongly: another family, architecture traits other than Llama's (a sliding window,
 * RoPE scaling, GeGLU, softcaps, ...), or a tensor of the stage's range the loop would not read (per-head
 * q/k norms, post norms, fused projections, experts, RoPE frequency factors).
 */
final class SkeletonCheck {
    private static final Set<String> ARCHITECTURES = Set.of("llama", "mistral", "qwen2");

    private SkeletonCheck() {
    }

    static void require(LoadedModel model, int first, int last) {
        String architecture = model.config().architecture();
        if (!ARCHITECTURES.contains(architecture)) {
            throw new UnsupportedOperationException("the GPU engine runs llama, mistral and qwen2 models, not "
                    + architecture + ": run this model with --device cpu");
        }
        List<String> traits = differencesFromLlama(model.config().traits());
        if (!traits.isEmpty()) {
            throw new UnsupportedOperationException("the GPU engine runs the plain Llama skeleton; this " + architecture
                    + " model needs " + String.join(", ", traits) + ": run this model with --device cpu");
        }
        for (String name : model.tensors().keySet()) {
            int layer = TensorNames.layerOf(name);
            boolean read = layer < 0 ? isTopLevel(name) : layer < first || layer >= last || isLayerTensor(name, layer);
            if (!read) {
                throw new UnsupportedOperationException("the GPU engine does not compute tensor " + name
                        + " (" + architecture + " beyond the Llama skeleton): run this model with --device cpu");
            }
        }
    }

    /** The traits that differ from Llama's, as {@code name=value}. */
    private static List<String> differencesFromLlama(ArchitectureTraits traits) {
        List<String> differ = new ArrayList<>();
        for (RecordComponent component : ArchitectureTraits.class.getRecordComponents()) {
            try {
                Object value = component.getAccessor().invoke(traits);
                if (!Objects.equals(value, component.getAccessor().invoke(ArchitectureTraits.LLAMA))) {
                    differ.add(component.getName() + "=" + value);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return differ;
    }

    private static boolean isTopLevel(String name) {
        return name.equals(TensorNames.TOKEN_EMBEDDING) || name.equals(TensorNames.OUTPUT_NORM)
                || name.equals(TensorNames.OUTPUT);
    }

    private static boolean isLayerTensor(String name, int l) {
        return name.equals(TensorNames.attnNorm(l)) || name.equals(TensorNames.attnQ(l)) || name.equals(TensorNames.attnK(l))
                || name.equals(TensorNames.attnV(l)) || name.equals(TensorNames.attnQBias(l))
                || name.equals(TensorNames.attnKBias(l)) || name.equals(TensorNames.attnVBias(l))
                || name.equals(TensorNames.attnOutput(l)) || name.equals(TensorNames.ffnNorm(l))
                || name.equals(TensorNames.ffnGate(l)) || name.equals(TensorNames.ffnUp(l)) || name.equals(TensorNames.ffnDown(l));
    }
}
