package io.strata.split;

import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.SplitPlace;
import io.strata.model.TensorNames;
import io.strata.model.TestModels;
import io.strata.model.WeightTensor;
import io.strata.model.gguf.GgufModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitWriterTest {
    @TempDir
    Path dir;

    private static List<SplitWriter.WrittenSplit> split(LoadedModel model, int stages, Path out) throws IOException {
        SplitPlan plan = new SplitPlanner(ModelFootprint.of(model), 256).plan(NodeSpec.uniform(stages), SplitStrategy.EVEN);
        return SplitWriter.write(model, plan, "stories260K", out, SplitWriter.Progress.NONE);
    }

    @Test
    void everyStageCountGivesSplitsThatHoldExactlyTheirTensorsByteForByte() throws IOException {
        try (LoadedModel whole = ModelLoader.open(TestModels.stories260kGguf(), null)) {
            for (int stages = 1; stages <= 5; stages++) {
                Path out = dir.resolve("n" + stages);
                List<SplitWriter.WrittenSplit> written = split(whole, stages, out);
                assertEquals(stages, written.size());
                Set<String> seen = new HashSet<>();
                int expectedFirst = 0;
                for (SplitWriter.WrittenSplit w : written) {
                    try (GgufModel part = GgufModel.open(w.file())) {
                        SplitPlace place = part.splitPlace().orElseThrow();
                        assertEquals(expectedFirst, place.firstLayer());
                        assertEquals(w.stage().lastLayer(), place.endLayer());
                        assertEquals(stages, place.worldSize());
                        assertEquals(whole.config(), part.config());
                        expectedFirst = place.endLayer();
                        for (WeightTensor t : part.tensors().values()) {
                            WeightTensor original = whole.tensor(t.name());
                            assertEquals(-1, original.data().mismatch(t.data()), t.name() + " differs from the source");
                            assertArrayEquals(original.shape(), t.shape());
                            seen.add(t.name());
                        }
                        assertEquals(place.last(), part.tensors().containsKey(TensorNames.OUTPUT_NORM));
                        // tied classifier: the last split carries the embedding to classify with
                        assertEquals(place.first() || place.last(), part.tensors().containsKey(TensorNames.TOKEN_EMBEDDING));
                    }
                }
                assertEquals(whole.config().layers(), expectedFirst);
                assertEquals(whole.tensors().keySet(), seen, "every tensor of the model lands in some split");
            }
        }
    }

    @Test
    void splittingTwiceGivesByteIdenticalArtifacts() throws IOException {
        try (LoadedModel whole = ModelLoader.open(TestModels.stories260kGguf(), null)) {
            List<SplitWriter.WrittenSplit> a = split(whole, 3, dir.resolve("a"));
            List<SplitWriter.WrittenSplit> b = split(whole, 3, dir.resolve("b"));
            for (int i = 0; i < 3; i++) {
                assertEquals(a.get(i).md5(), b.get(i).md5());
                assertEquals(a.get(i).sha256(), b.get(i).sha256());
                assertEquals(-1, Files.mismatch(a.get(i).file(), b.get(i).file()));
            }
            assertFalse(a.get(0).md5().equals(a.get(1).md5()), "different splits differ");
        }
    }

    @Test
    void llama2cCheckpointSplitsIntoGgufThatTokenizesTheSame() throws IOException {
        try (LoadedModel bin = ModelLoader.open(TestModels.stories260kBin(), TestModels.tok512())) {
            List<SplitWriter.WrittenSplit> written = split(bin, 2, dir);
            try (GgufModel first = GgufModel.open(written.get(0).file())) {
                for (String text : List.of("Once upon a time", "", "Lily's mom said, \"héllo 世界\"")) {
                    assertArrayEquals(bin.tokenizer().encode(text, true), first.tokenizer().encode(text, true), text);
                }
                for (WeightTensor t : first.tensors().values()) {
                    assertEquals(-1, bin.tensor(t.name()).data().mismatch(t.data()), t.name());
                }
                assertEquals(bin.config().layers(), first.config().layers());
                assertEquals(bin.config().ropeLayout(), first.config().ropeLayout());
            }
        }
    }

    @Test
    void aSplitCannotBeSplitAgain() throws IOException {
        try (LoadedModel whole = ModelLoader.open(TestModels.stories260kGguf(), null)) {
            Path first = split(whole, 2, dir).get(0).file();
            try (LoadedModel part = ModelLoader.open(first, null)) {
                var e = assertThrows(IllegalArgumentException.class, () -> split(part, 1, dir.resolve("again")));
                assertTrue(e.getMessage().contains("already a split"), e.getMessage());
            }
        }
    }

    @Test
    void noPartialFileIsLeftBehind() throws IOException {
        try (LoadedModel whole = ModelLoader.open(TestModels.stories260kGguf(), null)) {
            split(whole, 4, dir);
            try (var files = Files.list(dir)) {
                assertTrue(files.map(p -> p.getFileName().toString()).allMatch(n -> n.endsWith(".gguf") && !n.startsWith(".")));
            }
        }
    }
}
