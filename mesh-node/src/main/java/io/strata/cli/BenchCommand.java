package io.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.bench.ReadBandwidth;
import io.strata.engine.EngineSession;
import io.strata.engine.GenerationResult;
import io.strata.engine.Generator;
import io.strata.engine.Sampler;
import io.strata.engine.SamplingParams;
import io.strata.engine.StageEngine;
import io.strata.engine.StageEngines;
import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.model.TensorNames;
import io.strata.split.ByteSizes;
import io.strata.split.ModelFootprint;
import io.strata.synthetic.GgufQuantisation;
import io.strata.synthetic.SyntheticModelGenerator;
import io.strata.synthetic.SyntheticShape;
import io.strata.synthetic.SyntheticSpec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code strata bench}: prefill speed at several prompt lengths, decode speed of one session and
 * of several sessions batched in one forward, the weight bandwidth single-session decode amounts
 * to, and the machine's own read bandwidth measured the same run, so the two can be compared.
 * Decode of one session on a CPU is memory-bound (every token reads every weight); prefill and
 * batched decode read each weight once for many rows, so they show the kernels' compute speed.
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
                Prefills prompts of random tokens (one run per prompt length), decodes greedily one
                session alone and several sessions batched in one forward, and prints tokens/s and
                the weight bandwidth single-session decode amounts to beside this machine's read
                bandwidth (a plain vectorised pass over a buffer far larger than the last-level
                cache, taken before every run and after the last; the best run is compared with the
                best pass). --synthetic writes the model once into the cache folder and reuses it.""")
                .value("model", "PATH", "model file or Hugging Face folder", null)
                .value("tokenizer", "PATH", "tokenizer file (llama2.c checkpoints)", null)
                .value("synthetic", "SHAPE", "synthetic model preset, e.g. tinyllama-1.1b or tiny", null)
                .value("encoding", GgufQuantisation.names(), "encoding of a synthetic model's matrices (or a llama-quantize mix)", "F32")
                .value("cache", "DIR", "where synthetic models are kept", "~/.cache/strata/synthetic")
                .value("prompt-tokens", "N,...", "prompt lengths for the prefill measurements", "64,512")
                .value("sessions", "N,...", "session counts for aggregate decode (all sessions in one batch)", "1,8,32")
                .value("decode-tokens", "N", "tokens decoded per run and per session", "32")
                .value("runs", "N", "runs; the best of each figure is reported", "3")
                .value("bandwidth-buffer", "SIZE", "buffer for the read-bandwidth pass", "2g")
                .flag("json", "print one JSON object");
    }

    @Override
    int run(Options.Parsed o, PrintStream out, PrintStream err) throws Exception {
        int[] promptLengths = counts(o, "prompt-tokens");
        int[] sessionCounts = counts(o, "sessions");
        int decodeTokens = o.integer("decode-tokens");
        int runs = o.integer("runs");
        if (decodeTokens < 2 || runs < 1) {
            throw new CliException("--decode-tokens must be ≥ 2 and --runs ≥ 1");
        }
        Path modelPath = modelPath(o, err);
        int threads = Runtime.getRuntime().availableProcessors();

        try (LoadedModel model = ModelLoader.open(modelPath, o.optional("tokenizer").map(Path::of).orElse(null));
             StageEngine engine = StageEngines.whole(model);
             ReadBandwidth.Probe probe = new ReadBandwidth.Probe(ByteSizes.parse(o.string("bandwidth-buffer")), threads)) {
            Generator generator = new Generator(List.of(engine)); // no stop token: fixed work
            int vocab = model.config().vocabSize();
            SplittableRandom random = new SplittableRandom(1);
            int longest = Arrays.stream(promptLengths).max().orElseThrow();
            int[] prompt = random.ints(longest, 0, vocab).toArray();
            int contextNeeded = Math.max(longest, promptLengths[0] + decodeTokens);
            if (contextNeeded > model.config().contextLength()) {
                throw new CliException("prompt + decode tokens (" + contextNeeded + ") exceed the model's context of "
                        + model.config().contextLength());
            }
            generator.generate(new int[] {prompt[0]}, 4, SamplingParams.greedy(), null); // warm-up: JIT and page cache
            probe.pass(); // warm-up: JIT
            // A shared machine's bandwidth swings within minutes: a read pass before each run and one after
            // the last, so that the best run and the best pass come from the same stretch of time.
            double[] bestPrefill = new double[promptLengths.length];
            double[] bestAggregate = new double[sessionCounts.length];
            double bestDecode = 0;
            int bestRun = 0;
            double[] reads = new double[runs + 1]; // reads[r] just before run r, reads[runs] after the last
            for (int r = 0; r < runs; r++) {
                reads[r] = probe.pass();
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "run %d/%d: read pass %.1f GB/s, prefill",
                        r + 1, runs, reads[r] / 1e9));
                for (int i = 0; i < promptLengths.length; i++) {
                    // The first prompt length also gives single-session decode; the others only prefill.
                    GenerationResult result = generator.generate(Arrays.copyOf(prompt, promptLengths[i]),
                            i == 0 ? decodeTokens : 1, SamplingParams.greedy(), null);
                    bestPrefill[i] = Math.max(bestPrefill[i], result.prefillTokensPerSecond());
                    line.append(String.format(Locale.ROOT, " %d: %.1f", promptLengths[i], result.prefillTokensPerSecond()));
                    if (i == 0 && result.decodeTokensPerSecond() > bestDecode) {
                        bestDecode = result.decodeTokensPerSecond();
                        bestRun = r;
                    }
                }
                line.append(" tokens/s, decode with sessions");
                for (int j = 0; j < sessionCounts.length; j++) {
                    double aggregate = aggregateDecode(engine, sessionCounts[j], decodeTokens, random);
                    bestAggregate[j] = Math.max(bestAggregate[j], aggregate);
                    line.append(String.format(Locale.ROOT, " %d: %.1f", sessionCounts[j], aggregate));
                }
                err.println(line.append(" tokens/s"));
            }
            reads[runs] = probe.pass();
            err.printf(Locale.ROOT, "last read pass %.1f GB/s%n", reads[runs] / 1e9);
            ReadBandwidth.Measurement machine = probe.best();
            // The passes just before and just after the best run: what the machine gave at that time.
            double aroundBest = Math.max(reads[bestRun], reads[bestRun + 1]);
            long bytesPerToken = ModelFootprint.of(model).bytesReadPerToken(0, model.config().layers());
            double effective = bytesPerToken * bestDecode;
            String encoding = model.tensor(TensorNames.attnQ(0)).encoding().name();
            report(o.flag("json"), out, modelPath, encoding, model, bytesPerToken, promptLengths, bestPrefill, bestDecode,
                    sessionCounts, bestAggregate, effective, machine, aroundBest, threads);
            return 0;
        }
    }

    /**
     * Tokens per second of {@code sessions} conversations decoding together: every step is one
     * forward of one row per session and one pass over the classifier for all of them. The first
     * step (an empty cache) is not timed.
     */
    private static double aggregateDecode(StageEngine engine, int sessions, int steps, SplittableRandom random) {
        EngineSession[] rows = new EngineSession[sessions];
        int[] tokens = new int[sessions];
        int[] positions = new int[sessions];
        int[] all = new int[sessions];
        for (int i = 0; i < sessions; i++) {
            rows[i] = engine.newSession(steps + 1);
            tokens[i] = random.nextInt(engine.config().vocabSize());
            all[i] = i;
        }
        long start = 0;
        for (int step = 0; step <= steps; step++) {
            if (step == 1) {
                start = System.nanoTime();
            }
            float[][] logits = engine.logits(engine.forward(rows, tokens, positions), all);
            for (int i = 0; i < sessions; i++) {
                tokens[i] = Sampler.sample(logits[i], SamplingParams.greedy(), step);
                positions[i]++;
            }
        }
        return (double) sessions * steps / ((System.nanoTime() - start) / 1e9);
    }

    /** A comma-separated list of positive counts, e.g. {@code 64,512}. */
    private static int[] counts(Options.Parsed o, String option) {
        String value = o.string(option);
        try {
            int[] counts = Arrays.stream(value.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            if (counts.length > 0 && Arrays.stream(counts).allMatch(c -> c >= 1)) {
                return counts;
            }
        } catch (NumberFormatException e) {
            // the same message as for a count below 1
        }
        throw new CliException("--" + option + " takes counts ≥ 1 separated by commas, e.g. 1,8,32; got '" + value + "'");
    }

    private static void report(boolean json, PrintStream out, Path modelPath, String encoding, LoadedModel model,
                               long bytesPerToken, int[] promptLengths, double[] prefill, double decode,
                               int[] sessionCounts, double[] aggregate, double effective,
                               ReadBandwidth.Measurement machine, double aroundBest, int threads) {
        double percent = 100 * effective / machine.bytesPerSecond();
        double percentAround = 100 * effective / aroundBest;
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode n = mapper.createObjectNode();
            n.put("model", modelPath.toString());
            n.put("encoding", encoding);
            n.put("layers", model.config().layers());
            n.put("weight_bytes_per_token", bytesPerToken);
            n.put("prefill_tokens_per_second", round(prefill[0])); // the first prompt length
            ArrayNode prefills = n.putArray("prefill");
            for (int i = 0; i < promptLengths.length; i++) {
                prefills.addObject().put("prompt_tokens", promptLengths[i]).put("tokens_per_second", round(prefill[i]));
            }
            n.put("decode_tokens_per_second", round(decode));
            ArrayNode decodes = n.putArray("decode_sessions");
            for (int j = 0; j < sessionCounts.length; j++) {
                decodes.addObject().put("sessions", sessionCounts[j]).put("tokens_per_second", round(aggregate[j]))
                        .put("tokens_per_second_per_session", round(aggregate[j] / sessionCounts[j]));
            }
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
        for (int i = 0; i < promptLengths.length; i++) {
            out.printf(Locale.ROOT, "prefill %-10s %.1f tokens/s%n", promptLengths[i] + " tok", prefill[i]);
        }
        out.printf(Locale.ROOT, "decode             %.2f tokens/s%n", decode);
        for (int j = 0; j < sessionCounts.length; j++) {
            out.printf(Locale.ROOT, "decode %-11s %.1f tokens/s (%.2f per session, in one batch)%n",
                    sessionCounts[j] + " sess", aggregate[j], aggregate[j] / sessionCounts[j]);
        }
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
        GgufQuantisation encoding;
        try {
            encoding = GgufQuantisation.parse(o.string("encoding"));
        } catch (IllegalArgumentException e) {
            throw new CliException("--" + e.getMessage());
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
