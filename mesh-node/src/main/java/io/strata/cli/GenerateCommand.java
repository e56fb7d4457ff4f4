package io.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.engine.GenerationResult;
import io.strata.engine.LocalPipeline;
import io.strata.engine.SamplingParams;
import io.strata.tokenizer.Tokenizer;
import io.strata.tokenizer.Utf8Stream;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/** {@code strata generate}: text from a model file, a Hugging Face folder or a model plan, in this process. */
final class GenerateCommand extends OptionsCommand {
    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "generate text from a model file, Hugging Face folder or model plan";
    }

    @Override
    Options options() {
        return new Options("strata generate --model PATH [options]", """
                Runs the model on this machine's CPU and streams the generated text. PATH is a
                GGUF file, a llama2.c checkpoint (with --tokenizer), a Hugging Face folder, or a
                model plan (*.plan.json), whose splits then run chained in this process.""")
                .value("model", "PATH", "model file, Hugging Face folder or model plan", null)
                .value("tokenizer", "PATH", "tokenizer file for llama2.c checkpoints", null)
                .value("prompt", "TEXT", "text to continue", "")
                .value("max-tokens", "N", "most tokens to generate", "256")
                .value("temperature", "T", "0 for greedy decoding, higher for more varied text", "1.0")
                .value("top-p", "P", "sample only from the smallest set of tokens with this much probability", "0.9")
                .value("seed", "S", "random seed for sampling", "random")
                .flag("json", "print one JSON object: prompt_tokens, tokens, text, tokens_per_second");
    }

    @Override
    int run(Options.Parsed o, PrintStream out, PrintStream err) {
        Path model = Path.of(o.string("model"));
        Path tokenizerPath = o.optional("tokenizer").map(Path::of).orElse(null);
        String prompt = o.string("prompt");
        int maxTokens = o.integer("max-tokens");
        if (maxTokens < 0) {
            throw new CliException("--max-tokens must be 0 or more, got " + maxTokens);
        }
        float temperature = o.number("temperature");
        float topP = o.number("top-p");
        if (temperature < 0) {
            throw new CliException("--temperature must be 0 (greedy) or more, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new CliException("--top-p must be in (0, 1], got " + topP);
        }
        long seed = o.string("seed").equals("random") ? System.nanoTime() : o.longValue("seed");
        boolean json = o.flag("json");

        try (LocalPipeline pipeline = LocalPipeline.open(model, tokenizerPath)) {
            Tokenizer tokenizer = pipeline.tokenizer();
            int[] promptTokens = tokenizer.encode(prompt, tokenizer.addsBos());
            if (promptTokens.length == 0) {
                throw new CliException("the prompt is empty and this tokenizer adds no BOS token; give --prompt TEXT");
            }
            Utf8Stream text = new Utf8Stream();
            int[] previous = {promptTokens[promptTokens.length - 1]};
            if (!json) {
                out.print(prompt);
                out.flush();
            }
            GenerationResult result = pipeline.generator().generate(promptTokens, maxTokens,
                    new SamplingParams(temperature, topP, seed), token -> {
                        if (!json) {
                            out.print(text.push(tokenizer.decodeBytes(previous[0], token)));
                            out.flush();
                        }
                        previous[0] = token;
                    });
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode node = mapper.createObjectNode();
                node.putPOJO("prompt_tokens", result.promptTokens());
                node.putPOJO("tokens", result.tokens());
                node.put("text", tokenizer.decode(promptTokens[promptTokens.length - 1], result.tokens()));
                node.put("tokens_per_second", round(result.decodeTokensPerSecond()));
                out.println(node);
            } else {
                out.println(text.flush());
                err.printf(Locale.ROOT, "%d prompt tokens, %d generated (%s); prefill %.1f tok/s, decode %.1f tok/s; seed %d%n",
                        result.promptTokens().length, result.tokens().length,
                        result.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                        result.prefillTokensPerSecond(), result.decodeTokensPerSecond(), seed);
            }
            return 0;
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
