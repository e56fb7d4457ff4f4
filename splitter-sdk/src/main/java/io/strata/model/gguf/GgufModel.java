package io.strata.model.gguf;

import io.strata.model.ArchitectureTraits;
import io.strata.model.ExpectedTensors;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.ModelFormatException;
import io.strata.model.RopeLayout;
import io.strata.model.SplitPlace;
import io.strata.model.TensorNames;
import io.strata.model.WeightTensor;
import io.strata.tokenizer.ChatFormat;
import io.strata.tokenizer.Tokenizer;
import io.strata.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A model in a GGUF file of one of the {@link GgufArchitecture#SUPPORTED} architectures:
 * hyperparameters from the {@code {arch}.*} metadata, tensors under GGUF's names, which are Strata's canonical
 * names already.
 */
public final class GgufModel implements LoadedModel {
    private final GgufFile file;
    private final ModelConfig config;
    private final Map<String, WeightTensor> tensors;
    private final Optional<SplitPlace> splitPlace;
    private Tokenizer tokenizer;
    private ChatFormat chatFormat;

    private GgufModel(GgufFile file, ModelConfig config, Map<String, WeightTensor> tensors,
                      Optional<SplitPlace> splitPlace) {
        this.file = file;
        this.config = config;
        this.tensors = tensors;
        this.splitPlace = splitPlace;
    }

    /**
     * Opens {@code path} and checks that every tensor its hyperparameters imply is present with
     * the right shape.
     *
     * @throws ModelFormatException for an unreadable file, an unsupported architecture, missing
     *                              hyperparameters or tensors that disagree with them
     */
    public static GgufModel open(Path path) {
        GgufFile file = GgufFile.open(path);
        try {
            Map<String, WeightTensor> tensors = withoutDuplicateClassifier(file.tensors());
            Optional<SplitPlace> place = SplitArtifactKeys.place(file.metadata());
            ModelConfig config = configOf(file, tensors, place);
            if (place.isEmpty()) {
                ExpectedTensors.check(path, config, tensors);
            } else {
                checkSplit(path, config, tensors, place.get());
            }
            return new GgufModel(file, config, tensors, place);
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    /**
     * A split holds its layers, the embedding if it is first, and the head if it is last; a
     * tied classifier means the last split carries the embedding as its classifier.
     */
    private static void checkSplit(Path path, ModelConfig config, Map<String, WeightTensor> tensors, SplitPlace place) {
        if (place.endLayer() > config.layers()) {
            throw new ModelFormatException(path, "split claims layers [" + place.firstLayer() + ", " + place.endLayer()
                    + ") of a model with " + config.layers() + " layers");
        }
        boolean head = place.endLayer() == config.layers();
        boolean embedding = place.firstLayer() == 0 || (head && config.tiedClassifier());
        ExpectedTensors.check(path, config, tensors, place.firstLayer(), place.endLayer(), embedding, head);
    }

    @Override
    public Optional<SplitPlace> splitPlace() {
        return splitPlace;
    }

    /** The underlying file, for copying its metadata (tokenizer, hyperparameters) into split artifacts. */
    public GgufFile file() {
        return file;
    }

    @Override
    public Path source() {
        return file.path();
    }

    @Override
    public String format() {
        return "gguf";
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = Tokenizers.fromGguf(file.metadata());
        }
        return tokenizer;
    }

    /** The file's chat template and stop ids (or those of the Hugging Face files it embeds), read on first use. */
    @Override
    public synchronized ChatFormat chatFormat() {
        if (chatFormat == null) {
            chatFormat = Tokenizers.chatFormatFromGguf(file.metadata(), tokenizer());
        }
        return chatFormat;
    }

    @Override
    public Map<String, WeightTensor> tensors() {
        return tensors;
    }

    @Override
    public void close() {
        file.close();
    }

    /**
     * Some converters (llama.cpp's llama2.c converter among them) store a tied classifier as a
     * second copy of the token embedding. A byte-identical copy is dropped, so the model reads
     * as tied and its tensor set matches the same model from any other format.
     */
    private static Map<String, WeightTensor> withoutDuplicateClassifier(Map<String, WeightTensor> all) {
        WeightTensor output = all.get(TensorNames.OUTPUT);
        WeightTensor embedding = all.get(TensorNames.TOKEN_EMBEDDING);
        if (output == null || embedding == null || output.encoding() != embedding.encoding()
                || !Arrays.equals(output.shape(), embedding.shape())
                || output.data().mismatch(embedding.data()) != -1) {
            return all;
        }
        Map<String, WeightTensor> kept = new LinkedHashMap<>(all);
        kept.remove(TensorNames.OUTPUT);
        return Collections.unmodifiableMap(kept);
    }

    private static ModelConfig configOf(GgufFile file, Map<String, WeightTensor> tensors, Optional<SplitPlace> place) {
        Path path = file.path();
        GgufMetadata md = file.metadata();
        if (!md.has("general.architecture")) {
            throw new ModelFormatException(path, "metadata has no general.architecture — is it a model file?");
        }
        String arch = md.string("general.architecture");
        GgufArchitecture.checkSupported(path, arch);
        int dim = required(md, arch + ".embedding_length");
        int hidden = required(md, arch + ".feed_forward_length");
        int layers = required(md, arch + ".block_count");
        int heads = required(md, arch + ".attention.head_count");
        int kvHeads = md.optionalInt(arch + ".attention.head_count_kv").orElse(heads);
        int context = required(md, arch + ".context_length");
        // GPT-2 and GPT-NeoX normalise with LayerNorm, whose epsilon llama.cpp keeps under its own key
        String epsKey = arch + (GgufArchitecture.gpt(arch) ? ".attention.layer_norm_epsilon"
                : ".attention.layer_norm_rms_epsilon");
        if (!md.has(epsKey)) {
            throw new ModelFormatException(path, "metadata has no " + epsKey);
        }
        float eps = md.floatValue(epsKey);
        float theta = md.optionalFloat(arch + ".rope.freq_base").orElse(10000f);
        if (heads <= 0) {
            throw new ModelFormatException(path, "metadata " + arch + ".attention.head_count is " + heads);
        }
        int headSize = md.optionalInt(arch + ".attention.key_length").orElse(dim / heads);
        md.optionalInt(arch + ".attention.value_length").ifPresent(v -> {
            if (v != headSize) {
                throw new ModelFormatException(path, "value heads of " + v + " differ from key heads of " + headSize
                        + "; Strata needs them equal");
            }
        });

        long vocab;
        boolean tied;
        WeightTensor embedding = tensors.get(TensorNames.TOKEN_EMBEDDING);
        if (place.isPresent()) {
            // a middle split has no embedding to count rows of: the writer recorded these facts
            vocab = required(md, SplitArtifactKeys.VOCAB_SIZE);
            tied = md.boolValue(SplitArtifactKeys.TIED_CLASSIFIER);
        } else {
            if (embedding == null) {
                throw new ModelFormatException(path, "model has no tensor " + TensorNames.TOKEN_EMBEDDING
                        + " — is it a complete Llama-family model?");
            }
            if (embedding.dimensions() != 2) {
                throw new ModelFormatException(path, "tensor " + embedding + " should have 2 dimensions [dim, vocabulary]");
            }
            vocab = embedding.shape()[1];
            if (vocab > Integer.MAX_VALUE) {
                throw new ModelFormatException(path, "tensor " + embedding + " has more rows than any vocabulary");
            }
            tied = !tensors.containsKey(TensorNames.OUTPUT);
        }
        RopeLayout rope = SplitArtifactKeys.ropeLayout(md).orElse(GgufArchitecture.naturalLayout(arch));
        ArchitectureTraits traits = GgufArchitecture.traits(md, arch, dim, headSize);
        if (tensors.keySet().stream().anyMatch(n -> n.startsWith("rope_factors_"))) {
            throw new ModelFormatException(path, "long-context RoPE factors (rope_factors_long/short) are not supported"
                    + " — Strata applies plain, linear or llama3 RoPE scaling");
        }
        try {
            return new ModelConfig(arch, dim, traits.moe() ? traits.expertHiddenDim() : hidden, layers, heads, kvHeads,
                    headSize, (int) vocab, context, eps, theta, rope, tied, traits);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(path, e.getMessage(), e);
        }
    }

    private static int required(GgufMetadata md, String key) {
        if (!md.has(key)) {
            throw new ModelFormatException(md.source(), "metadata has no " + key + " — the file lacks this "
                    + "hyperparameter");
        }
        return md.intValue(key);
    }
}
