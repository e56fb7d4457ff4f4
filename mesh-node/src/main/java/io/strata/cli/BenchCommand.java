package io.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.bench.ReadBandwidth;
import io.strata.engine.GenerationResult;
import io.strata.engine.Generator;
import io.strata.engine.SamplingParams;
import io.strata.engine.StageEngines;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.TensorEncoding;
import io.strata.model.TensorNames;
import io.strata.split.ByteSizes;
import io.strata.split.ModelFootprint;
import io.strata.synthetic.SyntheticModelGenerator;
import io.strata.synthetic.SyntheticShape;
import io.strata.synthetic.SyntheticSpec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code strata bench}: prefill and decode speed of one model on this machine, the weight
 * bandwidth that speed amounts to, and the machine's own read bandwidth measured the same run,
 * so the two can be compared. Decode on a CPU is memory-bound: every token reads every weight.
 */
final class BenchCommand extends OptionsCommand {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure prefill/decode tokens/s, effective weight bandwidth and machine read bandwidth";
    }

    @Override
    Options options() {
        return new Options("strata bench (--model PATH | --synthetic SHAPE [--encoding E]) [options]", """
                Prefills a prompt of random tokens, decodes greedily, and prints tokens/s and the
                weight bandwidth they amount to beside this machine's read bandwidth (a plain
                vectorised pass over a buffer far larger than the last-level cache, taken
                before every run and after the last; the best run is compared with the best pass).
                --synthetic writes the model once into the cache folder and reuses it.""")
                .value("model", "PATH", "model file or Hugging Face folder", null)
                .value("tokenizer", "PATH", "tokenizer file (llama2.c checkpoints)", null)
                .value("synthetic", "SHAPE", "synthetic model preset, e.g. tinyllama-1.1b or tiny", null)
                .value("encoding", "F32|F16|BF16|Q8_0|Q4_0", "encoding of a synthetic model's matrices", "F32")
                .value("cache", "DIR", "where synthetic models are kept", "~/.cache/strata/synthetic")
                .value("prompt-tokens", "N", "prompt length for the prefill measurement", "64")
                .value("decode-tokens", "N", "tokens decoded per run", "32")
                .value("runs", "N", "runs; the best is reported", "3")
                .value("bandwidth-buffer", "SIZE", "buffer for the read-bandwidth pass", "2g")
                .flag("json", "print one JSON object");
    }

    @Override
    int run(Options.Parsed o, PrintStream out, PrintStream err) throws Exception {
        int promptTokens = o.integer("prompt-tokens");
        int decodeTokens = o.integer("decode-tokens");
        int runs = o.integer("runs");
        if (promptTokens < 1 || decodeTokens < 2 || runs < 1) {
            throw new CliException("--prompt-tokens must be ≥ 1, --decode-tokens ≥ 2 and --runs ≥ 1");
        }
        Path modelPath = modelPath(o, err);
        int threads = Runtime.getRuntime().availableProcessors();

        try (LoadedModel model = ModelLoader.open(modelPath, o.optional("tokenizer").map(Path::of).orElse(null));
             ReadBandwidth.Probe probe = new ReadBandwidth.Probe(ByteSizes.parse(o.string("bandwidth-buffer")), threads)) {
            Generator generator = new Generator(List.of(StageEngines.whole(model))); // no stop token: fixed work
            int vocab = model.config().vocabSize();
            SplittableRandom random = new SplittableRandom(1);
            int[] prompt = random.ints(promptTokens, 0, vocab).toArray();
            int contextNeeded = promptTokens + decodeTokens;
            if (contextNeeded > model.config().contextLength()) {
                throw new CliException("prompt + decode tokens (" + contextNeeded + ") exceed the model's context of "
                        + model.config().contextLength());
            }
            generator.generate(new int[] {prompt[0]}, 4, SamplingParams.greedy(), null); // warm-up: JIT and page cache
            probe.pass(); // warm-up: JIT
            // A shared machine's bandwidth swings within minutes: a read pass before each run and one after
            // the last, so that the best run and the best pass come from the same stretch of time.
            double bestPrefill = 0;
            double bestDecode = 0;
            int bestRun = 0;
            double[] reads = new double[runs + 1]; // reads[r] just before run r, reads[runs] after the last
            for (int r = 0; r < runs; r++) {
                reads[r] = probe.pass();
                GenerationResult result = generator.generate(prompt, decodeTokens, SamplingParams.greedy(), null);
                bestPrefill = Math.max(bestPrefill, result.prefillTokensPerSecond());
                if (result.decodeTokensPerSecond() > bestDecode) {
                    bestDecode = result.decodeTokensPerSecond();
                    bestRun = r;
                }
                err.printf(Locale.ROOT, "run %d/%d: read pass %.1f GB/s, prefill %.1f tokens/s, decode %.2f tokens/s%n",
                        r + 1, runs, reads[r] / 1e9, result.prefillTokensPerSecond(), result.decodeTokensPerSecond());
            }
            reads[runs] = probe.pass();
            err.printf(Locale.ROOT, "last read pass %.1f GB/s%n", reads[runs] / 1e9);
            ReadBandwidth.Measurement machine = probe.best();
            // The passes just before and just after the best run: what the machine gave at that time.
            double aroundBest = Math.max(reads[bestRun], reads[bestRun + 1]);
            long bytesPerToken = ModelFootprint.of(model).bytesReadPerToken(0, model.config().layers());
            double effective = bytesPerToken * bestDecode;
            String encoding = model.tensor(TensorNames.attnQ(0)).encoding().name();
            report(o.flag("json"), out, modelPath, encoding, model, bytesPerToken, bestPrefill, bestDecode, effective,
                    machine, aroundBest, threads);
            return 0;
        }
    }

    private static void report(boolean json, PrintStream out, Path modelPath, String encoding, LoadedModel model,
                               long bytesPerToken, double prefill, double decode, double effective,
                               ReadBandwidth.Measurement machine, double aroundBest, int threads) {
        double percent = 100 * effective / machine.bytesPerSecond();
        double percentAround = 100 * effective / aroundBest;
        if (json) {
            ObjectNode n = new ObjectMapper().createObjectNode();
            n.put("model", modelPath.toString());
            n.put("encoding", encoding);
            n.put("layers", model.config().layers());
            n.put("weight_bytes_per_token", bytesPerToken);
            n.put("prefill_tokens_per_second", round(prefill));
            n.put("decode_tokens_per_second", round(decode));
            n.put("effective_weight_gb_per_second", round(effective / 1e9));
            n.put("machine_read_gb_per_second", round(machine.gigabytesPerSecond()));
            n.put("percent_of_read_bandwidth", round(percent));
            n.put("read_around_best_run_gb_per_second", round(aroundBest / 1e9));
            n.put("percent_of_read_around_best_run", round(percentAround));
            n.put("threads", threads);
            out.println(n);
            return;
        }
        out.printf(Locale.ROOT, "model              %s (%s, %d layers)%n", modelPath, encoding, model.config().layers());
        out.printf(Locale.ROOT, "weights per token  %s%n", ByteSizes.human(bytesPerToken));
        out.printf(Locale.ROOT, "prefill            %.1f tokens/s%n", prefill);
        out.printf(Locale.ROOT, "decode             %.2f tokens/s%n", decode);
        out.printf(Locale.ROOT, "effective weights  %.1f GB/s%n", effective / 1e9);
        out.printf(Locale.ROOT, "machine read       %.1f GB/s (%d threads, %s buffer)%n", machine.gigabytesPerSecond(),
                threads, ByteSizes.human(machine.bufferBytes()));
        out.printf(Locale.ROOT, "of read bandwidth  %.0f%%%n", percent);
        out.printf(Locale.ROOT, "around best run    %.1f GB/s read, %.0f%% (passes just before and after it)%n",
                aroundBest / 1e9, percentAround);
    }

    /** The model to measure: the given one, or a synthetic one written once into the cache. */
    private static Path modelPath(Options.Parsed o, PrintStream err) throws Exception {
        if (o.has("model") == o.has("synthetic")) {
            throw new CliException("give either --model PATH or --synthetic SHAPE (see --help)");
        }
        if (o.has("model")) {
            return Path.of(o.string("model"));
        }
        SyntheticShape shape = SyntheticShape.parse(o.string("synthetic"));
        TensorEncoding encoding;
        try {
            encoding = TensorEncoding.valueOf(o.string("encoding").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CliException("--encoding must be F32, F16, BF16, Q8_0 or Q4_0, got '" + o.string("encoding") + "'");
        }
        String cache = o.string("cache").replaceFirst("^~", System.getProperty("user.home"));
        String name = o.string("synthetic").replaceAll("[^A-Za-z0-9._-]", "_");
        Path file = Path.of(cache).resolve(name + "-" + encoding.name().toLowerCase(Locale.ROOT) + ".gguf");
        if (!Files.isRegularFile(file)) {
            Files.createDirectories(file.getParent());
            TerminalProgress progress = new TerminalProgress(err, "writing " + file.getFileName());
            err.println("strata bench: writing synthetic model " + file);
            SyntheticModelGenerator.writeGguf(SyntheticSpec.of(shape, 1), encoding, file,
                    SyntheticModelGenerator.defaultThreads(), (tensor, done, total) -> progress.update(done, total));
        }
        return file;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
