package io.strata.engine.gpu;

import io.strata.model.ArchitectureTraits;
import io.strata.model.LoadedModel;
import io.strata.model.ModelConfig;
import io.strata.model.ModelLoader;
import io.strata.model.TensorEncoding;
import io.strata.model.WeightTensor;
import io.strata.synthetic.SyntheticModelGenerator;
import io.strata.synthetic.SyntheticProgress;
import io.strata.synthetic.SyntheticShape;
import io.strata.synthetic.SyntheticSpec;
import io.strata.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the GPU layer loop does not compute is refused at load, before any device is touched. */
class GpuStageEngineRefusesTest {
    @TempDir
    Path dir;

    @Test
    void aTensorBeyondTheLlamaSkeletonIsRefusedNamingIt() throws Exception {
        try (LoadedModel model = synthetic()) {
            Map<String, WeightTensor> tensors = new LinkedHashMap<>(model.tensors());
            tensors.put("blk.1.attn_q_norm.weight", new WeightTensor("blk.1.attn_q_norm.weight", TensorEncoding.F32,
                    new long[] {model.config().headSize()}, MemorySegment.ofArray(new float[model.config().headSize()])));
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> new GpuStageEngine(new Renamed(model, model.config(), tensors), 0, 3, 0));
            assertEquals("the GPU engine does not compute tensor blk.1.attn_q_norm.weight (llama beyond the Llama"
                    + " skeleton): run this model with --device cpu", e.getMessage());
        }
    }

    @Test
    void anotherFamilyIsRefusedNamingIt() throws Exception {
        try (LoadedModel model = synthetic()) {
            ModelConfig c = model.config();
            ModelConfig gemma = new ModelConfig("gemma2", c.dim(), c.hiddenDim(), c.layers(), c.heads(), c.kvHeads(),
                    c.headSize(), c.vocabSize(), c.contextLength(), c.rmsNormEps(), c.ropeTheta(), c.ropeLayout(),
                    c.tiedClassifier());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> new GpuStageEngine(new Renamed(model, gemma, model.tensors()), 0, 3, 0));
            assertEquals("the GPU engine runs llama, mistral and qwen2 models, not gemma2: run this model with --device cpu",
                    e.getMessage());
        }
    }

    @Test
    void architectureTraitsBeyondLlamasAreRefusedNamingThem() throws Exception {
        try (LoadedModel model = synthetic()) {
            ModelConfig c = model.config();
            ArchitectureTraits l = ArchitectureTraits.LLAMA;
            ArchitectureTraits windowed = new ArchitectureTraits(l.activation(), l.normWeightOffset(), l.qkNorm(),
                    l.postNorms(), l.fusedProjections(), l.embeddingScale(), l.attnSoftcap(), l.finalSoftcap(),
                    l.queryScalar(), 8, l.slidingPattern(), l.localRopeTheta(), l.ropeScaling(), l.experts(),
                    l.expertsUsed(), l.expertHiddenDim());
            ModelConfig mistral = new ModelConfig("mistral", c.dim(), c.hiddenDim(), c.layers(), c.heads(), c.kvHeads(),
                    c.headSize(), c.vocabSize(), c.contextLength(), c.rmsNormEps(), c.ropeTheta(), c.ropeLayout(),
                    c.tiedClassifier(), windowed);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> new GpuStageEngine(new Renamed(model, mistral, model.tensors()), 0, 3, 0));
            assertEquals("the GPU engine runs the plain Llama skeleton; this mistral model needs slidingWindow=8:"
                    + " run this model with --device cpu", e.getMessage());
        }
    }

    private LoadedModel synthetic() throws Exception {
        Path gguf = dir.resolve("model.gguf");
        SyntheticModelGenerator.writeGguf(SyntheticSpec.of(SyntheticShape.parse("tiny:layers=3,vocab=512"), 1),
                TensorEncoding.F32, gguf, 1, SyntheticProgress.NONE);
        return ModelLoader.open(gguf, null);
    }

    /** A loaded model seen with another configuration or tensor set. */
    private record Renamed(LoadedModel model, ModelConfig config, Map<String, WeightTensor> tensors) implements LoadedModel {
        @Override
        public Path source() {
            return model.source();
        }

        @Override
        public String format() {
            return model.format();
        }

        @Override
        public Tokenizer tokenizer() {
            return model.tokenizer();
        }

        @Override
        public void close() {
        }
    }
}
