package io.strata.model;

import io.strata.model.gguf.GgufModel;
import io.strata.model.llama2c.Llama2cModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelLoaderTest {
    @TempDir
    Path dir;

    @Test
    void ggufFileOpensAsGguf() {
        try (LoadedModel m = ModelLoader.open(TestModels.stories260kGguf(), null)) {
            assertInstanceOf(GgufModel.class, m);
            assertEquals("gguf", m.format());
            assertEquals(TestModels.stories260kGguf(), m.source());
        }
    }

    @Test
    void checkpointOpensAsLlama2cWithTheGivenTokenizer() {
        try (LoadedModel m = ModelLoader.open(TestModels.stories260kBin(), TestModels.tok512())) {
            Llama2cModel l = assertInstanceOf(Llama2cModel.class, m);
            assertEquals(TestModels.tok512(), l.tokenizerFile().orElseThrow());
            assertEquals(512, m.config().contextLength());
        }
    }

    @Test
    void formatIsRecognisedByContentNotName() throws IOException {
        Path renamed = Files.copy(TestModels.stories260kGguf(), dir.resolve("weights.bin"));
        try (LoadedModel m = ModelLoader.open(renamed, null)) {
            assertEquals("gguf", m.format());
        }
    }

    @Test
    void missingPathIsRefused() {
        Path absent = dir.resolve("absent.gguf");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelLoader.open(absent, null));
        assertEquals(absent + ": no such file or folder", e.getMessage());
    }

    @Test
    void otherFilesAreRefusedNamingTheFormatsTried() throws IOException {
        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        for (byte[] content : new byte[][] {noise, "hi".getBytes(), new byte[0], "{\"not\": \"a model\"}".getBytes()}) {
            Path f = dir.resolve("x.dat");
            Files.write(f, content);
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelLoader.open(f, null));
            assertEquals(f + ": not a GGUF file, llama2.c checkpoint or Hugging Face folder", e.getMessage());
        }
    }

    @Test
    void folderGoesToTheHuggingFaceReaderWhoseErrorsPassThrough() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelLoader.open(dir, null));
        assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
    }
}
