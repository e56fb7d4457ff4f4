package io.strata.model.hf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LinkPlaceholderTest {
    @TempDir
    Path dir;

    @Test
    void aFileHoldingARelativePathToAnExistingFileIsReadAsThatFile() throws IOException {
        Path shared = Files.createDirectories(dir.resolve("tokenizers/llama3"));
        Path real = Files.writeString(shared.resolve("tokenizer.json"), "{\"model\": {}}");
        Path model = Files.createDirectories(dir.resolve("hf/llama3"));
        Path link = Files.writeString(model.resolve("tokenizer.json"), "../../tokenizers/llama3/tokenizer.json");
        assertEquals(real.toAbsolutePath().normalize(), LinkPlaceholder.resolve(link));
    }

    @Test
    void linksToLinksAreFollowed() throws IOException {
        Path real = Files.writeString(dir.resolve("weights.safetensors"), "x".repeat(2048));
        Path middle = Files.writeString(dir.resolve("a.safetensors"), "weights.safetensors");
        Path first = Files.writeString(dir.resolve("b.safetensors"), "a.safetensors");
        assertEquals(real.toAbsolutePath().normalize(), LinkPlaceholder.resolve(first));
        assertEquals(real.toAbsolutePath().normalize(), LinkPlaceholder.resolve(middle));
    }

    @Test
    void realFilesAbsolutePathsAndMissingTargetsAreLeftAlone() throws IOException {
        Path json = Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\"}");
        Path absolute = Files.writeString(dir.resolve("abs.json"), json.toAbsolutePath().toString());
        Path dangling = Files.writeString(dir.resolve("dangling.json"), "../nowhere/tokenizer.json");
        Path twoLines = Files.writeString(dir.resolve("two.json"), "config.json\nconfig.json");
        assertEquals(json, LinkPlaceholder.resolve(json));
        assertEquals(absolute, LinkPlaceholder.resolve(absolute));
        assertEquals(dangling, LinkPlaceholder.resolve(dangling));
        assertEquals(twoLines, LinkPlaceholder.resolve(twoLines));
    }

    @Test
    void aLoopOfLinksEndsInsteadOfHanging() throws IOException {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        Files.writeString(a, "b.json");
        Files.writeString(b, "a.json");
        Path end = LinkPlaceholder.resolve(a);
        assertEquals(true, end.equals(a.toAbsolutePath().normalize()) || end.equals(b.toAbsolutePath().normalize()) || end.equals(a));
    }
}
