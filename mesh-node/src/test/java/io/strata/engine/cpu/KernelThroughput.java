package io.strata.engine.cpu;

import io.strata.model.TensorEncoding;
import io.strata.model.WeightTensor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Run by hand (not a test): one thread, one matrix small enough to stay in L2, so memory is out
 * of the picture and what is left is the kernel's own speed in weight bytes per second. A
 * kernel whose figure here is well above one core's share of DRAM bandwidth will be memory
 * bound on the real model. Timed in thread CPU time, so a busy machine skews it little.
 * <pre>java --add-modules jdk.incubator.vector -cp ... io.strata.engine.cpu.KernelThroughput [rows cols]</pre>
 */
public final class KernelThroughput {
    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int cols = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        String only = args.length > 2 ? args[2] : "";
        for (TensorEncoding e : TensorEncoding.values()) {
            if (!only.isEmpty() && !only.contains(e.name())) {
                continue;
            }
            WeightTensor t = TestTensors.matrix("w", e, rows, cols, 1, 1);
            WeightMatrix m = WeightMatrix.of(t);
            float[] x = TestTensors.randomVector(cols, 2);
            float[] out = new float[rows];
            // Thread CPU time, not wall time: other processes on these cores then cost nothing.
            ThreadMXBean clock = ManagementFactory.getThreadMXBean();
            double best = 0;
            for (int round = 0; round < 15; round++) {
                long t0 = clock.getCurrentThreadCpuTime();
                int reps = 0;
                while (clock.getCurrentThreadCpuTime() - t0 < 100_000_000) {
                    for (int i = 0; i < 10; i++) {
                        m.dotRows(0, rows, x, 0, out, 0);
                    }
                    reps += 10;
                }
                best = Math.max(best, reps * (double) t.byteSize() / (clock.getCurrentThreadCpuTime() - t0));
            }
            System.out.printf("%-5s %d×%d in cache, one thread: %.1f GB/s of weights%n", e, rows, cols, best);
        }
    }
}
