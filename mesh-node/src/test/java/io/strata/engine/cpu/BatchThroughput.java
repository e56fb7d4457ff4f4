package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import io.strata.model.WeightTensor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Run by hand (not a test): one thread, the batched product of one matrix with n tokens, in
 * multiply-adds per nanosecond of the thread's CPU time (so a busy machine skews it little),
 * beside the same tokens taken one at a time through the one-token kernel.
 * <pre>java --add-modules jdk.incubator.vector -cp ... io.strata.engine.cpu.BatchThroughput [rows cols n encodings]</pre>
 */
public final class BatchThroughput {
    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        String only = args.length > 3 ? args[3] : "";
        for (TensorEncoding e : TensorEncoding.values()) {
            if (!only.isEmpty() && !only.contains(e.name())) {
                continue;
            }
            WeightMatrix m = WeightMatrix.of(TestTensors.matrix("w", e, rows, cols, 1, 1));
            float[] x = TestTensors.randomVector(n * cols, 2);
            float[] out = new float[n * rows];
            double batched = best(() -> m.dotRowsBatch(0, rows, x, n, out), (double) rows * cols * n);
            double single = best(() -> {
                for (int t = 0; t < n; t++) {
                    m.dotRows(0, rows, x, t * cols, out, t * rows);
                }
            }, (double) rows * cols * n);
            System.out.printf("%-5s %d×%d, %d tokens, one thread: batched %.1f, one token at a time %.1f multiply-adds/ns%n",
                    e, rows, cols, n, batched, single);
        }
    }

    private static double best(Runnable work, double macs) {
        ThreadMXBean clock = ManagementFactory.getThreadMXBean();
        double best = 0;
        for (int round = 0; round < 8; round++) {
            long t0 = clock.getCurrentThreadCpuTime();
            int reps = 0;
            while (clock.getCurrentThreadCpuTime() - t0 < 200_000_000) {
                work.run();
                reps++;
            }
            best = Math.max(best, reps * macs / (clock.getCurrentThreadCpuTime() - t0));
        }
        return best;
    }
}
