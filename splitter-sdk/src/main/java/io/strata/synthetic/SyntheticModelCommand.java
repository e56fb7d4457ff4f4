package io.strata.synthetic;

import io.strata.model.gguf.GgufWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code java io.strata.synthetic.SyntheticModelCommand --shape tinyllama-1.1b --format gguf
 * --encoding Q8_0 --seed 1 --out model.gguf}: writes one synthetic model from the command line,
 * printing progress to stderr. Exit status 2 for bad arguments, 1 for a failed write.
 */
public final class SyntheticModelCommand {
    private static final String USAGE = """
            usage: strata synth --out PATH [--shape PRESET[:key=value,...]] [--format gguf|hf]
                            [--encoding E] [--seed N] [--name NAME]
                            [--shard-mb N] [--threads N] [--quiet]
              presets: %s; keys: dim, hidden, layers, heads, kv-heads, vocab, context, rms-eps, rope-theta, tied,
              rope-scaling (none|llama3: Llama 3.1's, written to GGUF as rope_freqs.weight)
              encodings (gguf): %s
              hf folders take F32, F16 or BF16; --shard-mb splits their weights into shards
            """;

    private SyntheticModelCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs with {@code args}; also the body of {@code strata synth}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String shape = "tiny";
        String format = "gguf";
        String encoding = "F32";
        long seed = 1;
        String name = null;
        Path target = null;
        long shardBytes = Long.MAX_VALUE;
        int threads = SyntheticModelGenerator.defaultThreads();
        boolean quiet = false;
        SyntheticSpec spec;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--help", "-h" -> {
                        out.print(USAGE.formatted(SyntheticShape.presetNames(), GgufQuantisation.names()));
                        return 0;
                    }
                    case "--quiet" -> quiet = true;
                    default -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(a + " needs a value");
                        }
                        String v = args[++i];
                        switch (a) {
                            case "--shape" -> shape = v;
                            case "--format" -> format = v.toLowerCase(Locale.ROOT);
                            case "--encoding" -> encoding = v.toUpperCase(Locale.ROOT);
                            case "--seed" -> seed = parseLong(a, v);
                            case "--name" -> name = v;
                            case "--out" -> target = Path.of(v);
                            case "--shard-mb" -> shardBytes = parseLong(a, v) << 20;
                            case "--threads" -> threads = Math.toIntExact(parseLong(a, v));
                            default -> throw new IllegalArgumentException("unknown option " + a);
                        }
                    }
                }
            }
            if (target == null) {
                throw new IllegalArgumentException("--out is required");
            }
            if (!format.equals("gguf") && !format.equals("hf")) {
                throw new IllegalArgumentException("--format is gguf or hf, got " + format);
            }
            if (format.equals("gguf")) {
                GgufQuantisation.parse(encoding);
            }
            SyntheticShape s = SyntheticShape.parse(shape);
            spec = name == null ? SyntheticSpec.of(s, seed) : new SyntheticSpec(s, seed, name);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage() + " (see --help)");
            return 2;
        }
        SyntheticProgress progress = quiet ? SyntheticProgress.NONE : new PercentPrinter(err);
        long start = System.nanoTime();
        try {
            if (format.equals("gguf")) {
                GgufWriter.WrittenFile f = SyntheticModelGenerator.writeGguf(spec, GgufQuantisation.parse(encoding),
                        target, threads, progress);
                out.printf("%s %d bytes md5 %s%n", f.path(), f.bytes(), f.md5Hex());
            } else {
                List<Path> files = SyntheticModelGenerator.writeHuggingFace(spec, encoding, target, shardBytes, threads,
                        progress);
                files.forEach(out::println);
            }
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("error: writing " + target + " failed: " + e);
            return 1;
        }
        if (!quiet) {
            err.printf("done in %.1f s%n", (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    private static long parseLong(String option, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, got '" + value + "'");
        }
    }

    /** Prints a line at each whole percent, so a log stays short. */
    private static final class PercentPrinter implements SyntheticProgress {
        private final PrintStream err;
        private int lastPercent = -1;

        PercentPrinter(PrintStream err) {
            this.err = err;
        }

        @Override
        public synchronized void progress(String tensor, long done, long total) {
            int percent = (int) (100 * done / Math.max(1, total));
            if (percent != lastPercent) {
                lastPercent = percent;
                err.printf("%3d%%  %s%n", percent, tensor);
            }
        }
    }
}
