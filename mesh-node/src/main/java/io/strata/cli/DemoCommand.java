package io.strata.cli;

import io.strata.engine.GenerationResult;
import io.strata.engine.LocalPipeline;
import io.strata.engine.SamplingParams;
import io.strata.engine.TransformerStage;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.split.ModelFootprint;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlanFile;
import io.strata.split.NodeSpec;
import io.strata.split.SplitPlan;
import io.strata.split.SplitPlanner;
import io.strata.split.SplitStrategy;
import io.strata.split.SplitWriter;
import io.strata.tokenizer.Tokenizer;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code strata demo}: the main job on the embedded defaults. Splits the model (stories260K from
 * the project's models folder unless told otherwise) into stages, writes the artifacts and the
 * model plan, runs the splits as one model and streams a completion, then prints the plan and
 * the time each stage took.
 */
final class DemoCommand extends OptionsCommand {
    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "split the default model into stages and stream a completion through them";
    }

    @Override
    Options options() {
        return new Options("strata demo [--model PATH] [--stages N] [--prompt TEXT] [options]", """
                Splits the model into N layer-range artifacts with a model plan, then runs the
                splits chained as one model and streams a completion. The default model is
                stories260K.gguf from $STRATA_MODELS or ../shared/models.""")
                .value("model", "PATH", "model to split", "stories260K.gguf from the models folder")
                .value("tokenizer", "PATH", "tokenizer file (llama2.c checkpoints)", null)
                .value("stages", "N", "number of splits", "3")
                .value("prompt", "TEXT", "text to continue", "Once upon a time")
                .value("max-tokens", "N", "most tokens to generate", "120")
                .value("temperature", "T", "0 for greedy decoding", "0.8")
                .value("seed", "S", "random seed", "42")
                .value("work-dir", "DIR", "where the splits and plan are written", "~/.cache/strata/demo")
                .flag("json", "print one JSON object (as generate --json) instead of streaming");
    }

    @Override
    int run(Options.Parsed o, PrintStream out, PrintStream err) throws Exception {
        Path model = o.has("model") ? Path.of(o.string("model")) : ModelDirectory.file("stories260K.gguf");
        Path tokenizer = o.optional("tokenizer").map(Path::of).orElse(null);
        int stages = o.integer("stages");
        boolean json = o.flag("json");
        Path work = Path.of(o.string("work-dir").replaceFirst("^~", System.getProperty("user.home")));
        PrintStream info = json ? err : out;

        Path planFile;
        try (LoadedModel whole = ModelLoader.open(model, tokenizer)) {
            String modelId = SplitCommand.defaultModelId(model);
            SplitPlan plan = new SplitPlanner(ModelFootprint.of(whole), 2048).plan(NodeSpec.uniform(stages),
                    SplitStrategy.EVEN);
            Path dir = work.resolve(modelId + "-" + stages);
            Files.createDirectories(dir);
            List<SplitWriter.WrittenSplit> written = SplitWriter.write(whole, plan, modelId, dir, SplitWriter.Progress.NONE);
            ModelPlan modelPlan = ModelPlanFile.of(modelId, model.getFileName().toString(), model,
                    whole.config().architecture(), plan, written, new ModelPlan.Replicas(1, 1));
            planFile = ModelPlanFile.write(modelPlan, dir.resolve(modelId + ModelPlanFile.SUFFIX));
            info.printf("model plan %s (%d layers → %d splits)%n", planFile, whole.config().layers(), stages);
            info.print(plan.table());
            for (SplitWriter.WrittenSplit w : written) {
                info.printf("  split %d  %s  md5 %s%n", w.stage().index(), w.file().getFileName(), w.md5());
            }
            info.println();
        }

        String[] generate = {"--model", planFile.toString(), "--prompt", o.string("prompt"),
                "--max-tokens", o.string("max-tokens"), "--temperature", o.string("temperature"),
                "--seed", o.string("seed")};
        if (json) {
            String[] withJson = java.util.Arrays.copyOf(generate, generate.length + 1);
            withJson[generate.length] = "--json";
            return new GenerateCommand().execute(withJson, out, err);
        }
        try (LocalPipeline pipeline = LocalPipeline.open(planFile, null)) {
            Tokenizer t = pipeline.tokenizer();
            String prompt = o.string("prompt");
            int[] promptTokens = t.encode(prompt, t.addsBos());
            Utf8Stream text = new Utf8Stream();
            int[] previous = {promptTokens[promptTokens.length - 1]};
            out.print(prompt);
            GenerationResult r = pipeline.generator().generate(promptTokens, o.integer("max-tokens"),
                    new SamplingParams(o.number("temperature"), 0.9f, o.longValue("seed")), token -> {
                        out.print(text.push(t.decodeBytes(previous[0], token)));
                        out.flush();
                        previous[0] = token;
                    });
            out.println(text.flush());
            out.println();
            out.printf(Locale.ROOT, "%d prompt + %d generated tokens; prefill %.1f tok/s, decode %.1f tok/s%n",
                    promptTokens.length, r.tokens().length, r.prefillTokensPerSecond(), r.decodeTokensPerSecond());
            List<TransformerStage> st = pipeline.stages();
            for (int i = 0; i < st.size(); i++) {
                out.printf(Locale.ROOT, "  stage %d  layers %d-%d  %.1f ms in all, %.3f ms per token%n", i,
                        st.get(i).first(), st.get(i).last() - 1, r.stageNanos()[i] / 1e6,
                        r.stageNanos()[i] / 1e6 / Math.max(1, promptTokens.length + r.tokens().length - 1));
            }
            return 0;
        }
    }
}
