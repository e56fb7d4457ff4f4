package io.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.model.TestModels;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's generate, end to end, against the independent C engine's greedy tokens. */
class GenerateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int code, String out, String err) {
    }

    static Run strata(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Strata.standard().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static JsonNode referenceCase(String prompt) throws IOException {
        for (JsonNode c : JSON.readTree(TestModels.referenceGreedy().toFile()).get("cases")) {
            if (c.get("prompt").asText().equals(prompt)) {
                return c;
            }
        }
        throw new AssertionError("no reference case for prompt '" + prompt + "'");
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        StreamSupport.stream(array.spliterator(), false).forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static void assertReproduces(String prompt, int maxTokens, String... modelArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("generate"));
        args.addAll(List.of(modelArgs));
        args.addAll(List.of("--prompt", prompt, "--max-tokens", String.valueOf(maxTokens), "--temperature", "0", "--json"));
        Run run = strata(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        JsonNode got = JSON.readTree(run.out());
        JsonNode ref = referenceCase(prompt);
        assertEquals(ints(ref.get("prompt_tokens")), ints(got.get("prompt_tokens")));
        assertEquals(ints(ref.get("generated_tokens")), ints(got.get("tokens")));
        assertTrue(got.get("tokens_per_second").asDouble() > 0);
        assertTrue(ref.get("text").asText().endsWith(got.get("text").asText()), "text is the decoding of the tokens");
    }

    @Test
    void ggufGreedyReproducesTheReferenceForOnceUponATime() throws IOException {
        assertReproduces("Once upon a time", 196, "--model", TestModels.stories260kGguf().toString());
    }

    @Test
    void ggufGreedyReproducesTheReferenceForTheEmptyPrompt() throws IOException {
        assertReproduces("", 200, "--model", TestModels.stories260kGguf().toString());
    }

    @Test
    void llama2cCheckpointWithItsTokenizerReproducesTheReference() throws IOException {
        String[] model = {"--model", TestModels.stories260kBin().toString(), "--tokenizer", TestModels.tok512().toString()};
        assertReproduces("Once upon a time", 196, model);
        assertReproduces("", 200, model);
    }

    @Test
    void theSameSeedDrawsTheSameTokensAndAnotherSeedOthers() {
        String model = TestModels.stories260kGguf().toString();
        Run a = strata("generate", "--model", model, "--prompt", "Lily", "--max-tokens", "40", "--seed", "5", "--json");
        Run b = strata("generate", "--model", model, "--prompt", "Lily", "--max-tokens", "40", "--seed", "5", "--json");
        Run c = strata("generate", "--model", model, "--prompt", "Lily", "--max-tokens", "40", "--seed", "6", "--json");
        assertEquals(0, a.code(), a.err());
        assertEquals(tokens(a), tokens(b));
        assertNotEquals(tokens(a), tokens(c));
    }

    private static String tokens(Run run) {
        try {
            return JSON.readTree(run.out()).get("tokens").toString();
        } catch (IOException e) {
            throw new AssertionError(run.out(), e);
        }
    }

    @Test
    void badInputIsOneLineAndANonZeroExit() {
        String model = TestModels.stories260kGguf().toString();
        List<String[]> bad = List.of(
                new String[] {"generate"},
                new String[] {"generate", "--model", "/no/such/model.gguf"},
                new String[] {"generate", "--model", model, "--temperature", "hot"},
                new String[] {"generate", "--model", model, "--temperature", "-1"},
                new String[] {"generate", "--model", model, "--top-p", "1.5"},
                new String[] {"generate", "--model", model, "--max-tokens", "-3"},
                new String[] {"generate", "--model", model, "--frobnicate"},
                new String[] {"generate", "--model", TestModels.tok512().toString()},
                new String[] {"generate", "--model", TestModels.stories260kBin().toString(), "--tokenizer", "/nope"},
                new String[] {"no-such-command"});
        for (String[] args : bad) {
            Run run = strata(args);
            assertNotEquals(0, run.code(), String.join(" ", args));
            assertEquals(1, run.err().lines().count(), String.join(" ", args) + " → " + run.err());
            assertTrue(run.out().isEmpty(), run.out());
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("generate", "split", "bench", "synth")) {
            Run run = strata(command, "--help");
            assertEquals(0, run.code(), command);
            assertTrue(run.out().contains("usage: strata " + command), run.out());
        }
    }
}
