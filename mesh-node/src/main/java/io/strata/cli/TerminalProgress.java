package io.strata.cli;

import io.strata.split.ByteSizes;

import java.io.PrintStream;

/**
 * A one-line progress bar for long work, drawn only when stderr is a terminal, so logs and
 * pipes stay quiet. Redraws at most ten times a second.
 */
final class TerminalProgress {
    private final PrintStream err;
    private final String label;
    private final boolean enabled;
    private long lastDraw;

    TerminalProgress(PrintStream err, String label) {
        this.err = err;
        this.label = label;
        this.enabled = System.console() != null && System.console().isTerminal();
    }

    void update(long done, long total) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        int width = 30;
        int filled = total <= 0 ? 0 : (int) Math.min(width, done * width / total);
        err.printf("\r%s [%s%s] %3d%% %s / %s", label, "#".repeat(filled), ".".repeat(width - filled),
                total <= 0 ? 0 : done * 100 / total, ByteSizes.human(done), ByteSizes.human(total));
        if (done >= total) {
            err.println();
        }
        err.flush();
    }
}
