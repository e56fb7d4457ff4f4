package io.strata.engine;

import io.strata.model.ModelConfig;
import io.strata.model.RopeLayout;
import io.strata.model.TensorEncoding;
import io.strata.model.WeightTensor;

import io.strata.engine.cpu.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Run by hand (not a test): prefill and decode speed of a TinyLlama-1.1B-shaped model with random
 * weights (22 layers, dim 2048, FFN 5632, 32 heads over 4 KV heads, vocabulary 32000), whose
 * speed is that of the trained model. Weights live in native memory, so give the JVM
 * {@code -XX:MaxDirectMemorySize=8g}; the heap itself needs little.
 * <pre>java --add-modules jdk.incubator.vector -Xmx512m -XX:MaxDirectMemorySize=8g -cp ...
 *     io.strata.engine.DecodeBenchmark [F32,Q8_0,Q4_0] [layers] [decode tokens] [prompt tokens]</pre>
 */
public final class DecodeBenchmark {
    public static void main(String[] args) {
        String encodings = args.length > 0 ? args[0] : "F32,Q8_0,Q4_0";
        int layers = args.length > 1 ? Integer.parseInt(args[1]) : 22;
        int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int promptLength = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        for (String name : encodings.split(",")) {
            TensorEncoding encoding = TensorEncoding.valueOf(name);
            ModelConfig c = new ModelConfig("llama", 2048, 5632, layers, 32, 4, 64, 32000, 2048, 1e-5f, 10000f,
                    RopeLayout.ADJACENT_PAIRS, false);
            long t0 = System.nanoTime();
            RandomModel model = RandomModel.create(c, encoding, false, 1);
            long bytes = 0;
            for (WeightTensor t : model.tensors().values()) {
                bytes += t.byteSize();
            }
            long embedding = model.tensor("token_embd.weight").byteSize();
            long perToken = bytes - embedding + embedding / c.vocabSize(); // one embedding row is read, not the table
            System.out.printf("%s: %d layers, %.2f GB of weights (made in %.1f s)%n", encoding, layers, bytes / 1e9,
                    (System.nanoTime() - t0) / 1e9);
            Generator generator = new Generator(List.of(StageEngines.whole(model)));
            int[] prompt = new int[promptLength];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = 1 + (i * 7919) % (c.vocabSize() - 1);
            }
            generator.generate(prompt, 4, SamplingParams.greedy(), null); // warm-up: JIT
            // Other processes share these cores and memory: alternate with a plain read pass over the
            // same weights and keep each one's best.
            double bestDecode = 0;
            double bestPrefill = 0;
            double bestRead = 0;
            for (int round = 0; round < 4; round++) {
                bestRead = Math.max(bestRead, readPass(model));
                // Greedy: with random weights nearly every token passes a top-p cut, and sorting 32000 of them per step
                // would be timed instead of the engine.
                GenerationResult r = generator.generate(prompt, tokens, SamplingParams.greedy(), null);
                bestDecode = Math.max(bestDecode, r.decodeTokensPerSecond());
                bestPrefill = Math.max(bestPrefill, r.prefillTokensPerSecond());
                System.out.printf("  round %d: prefill %d tokens at %.1f tok/s, decode %d tokens at %.2f tok/s%n",
                        round, prompt.length, r.prefillTokensPerSecond(), r.tokens().length, r.decodeTokensPerSecond());
            }
            System.out.printf("%s best: decode %.2f tok/s = %.1f GB/s of weights (read pass %.1f GB/s: %.0f%%),"
                            + " prefill %.1f tok/s%n", encoding, bestDecode, bestDecode * perToken / 1e9, bestRead,
                    100 * bestDecode * perToken / 1e9 / bestRead, bestPrefill);
        }
    }

    /** GB/s of summing every weight byte once (as floats, whatever the encoding), on all threads. */
    static double readPass(RandomModel model) {
        long t0 = System.nanoTime();
        long bytes = 0;
        float[] sink = new float[1];
        for (WeightTensor t : model.tensors().values()) {
            MemorySegment s = t.data();
            int chunks = (int) (s.byteSize() / CHUNK);
            float[] partial = new float[Math.max(1, chunks)];
            Parallel.shared().forRows(chunks, 4, (from, to) -> {
                for (int c = from; c < to; c++) {
                    FloatVector a0 = FloatVector.zero(FloatVector.SPECIES_512);
                    FloatVector a1 = a0;
                    for (long at = (long) c * CHUNK; at < (long) (c + 1) * CHUNK; at += 128) {
                        a0 = a0.add(FloatVector.fromMemorySegment(FloatVector.SPECIES_512, s, at, ByteOrder.LITTLE_ENDIAN));
                        a1 = a1.add(FloatVector.fromMemorySegment(FloatVector.SPECIES_512, s, at + 64, ByteOrder.LITTLE_ENDIAN));
                    }
                    partial[c] = a0.add(a1).reduceLanes(VectorOperators.ADD);
                }
            });
            sink[0] += partial[0];
            bytes += (long) chunks * CHUNK;
        }
        if (sink[0] == 42) {
            System.out.print("");
        }
        return bytes / ((System.nanoTime() - t0) / 1e9) / 1e9;
    }

    private static final int CHUNK = 16 * 1024;
}
