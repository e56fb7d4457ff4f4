package io.strata.engine;

import io.strata.cuda.CudaProbe;

import java.util.function.Consumer;

/**
 * Where a node's stages run: {@code cpu}, {@code cuda} / {@code cuda:N} (GPU N), or {@code auto} (the
 * first GPU when one is usable, else the CPU). {@link #resolve} turns {@code auto} into one of the others
 * and refuses a GPU that is not there, with the probe's one-line reason.
 */
public record DeviceChoice(Kind kind, int ordinal) {
    /** The forms {@link #parse} accepts, for help texts. */
    public static final String FORMS = "cpu|cuda[:N]|auto";
    public static final DeviceChoice CPU = new DeviceChoice(Kind.CPU, 0);

    public enum Kind { CPU, CUDA, AUTO }

    /** Parses {@link #FORMS}; anything else is one clear error. */
    public static DeviceChoice parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("cpu")) {
            return CPU;
        }
        if (t.equals("auto")) {
            return new DeviceChoice(Kind.AUTO, 0);
        }
        if (t.equals("cuda")) {
            return new DeviceChoice(Kind.CUDA, 0);
        }
        if (t.startsWith("cuda:")) {
            try {
                int ordinal = Integer.parseInt(t.substring(5));
                if (ordinal >= 0) {
                    return new DeviceChoice(Kind.CUDA, ordinal);
                }
            } catch (NumberFormatException e) {
                // falls through to the one error below
            }
        }
        throw new IllegalArgumentException("device must be " + FORMS + " (e.g. cuda:0), got '" + text + "'");
    }

    /**
     * CPU, or a CUDA device that the probe finds usable, told to {@code log} in one line; {@code auto}
     * without a usable GPU becomes the CPU and {@code log} hears why.
     *
     * @throws IllegalArgumentException for {@code cuda[:N]} when that GPU is not usable here, naming why
     */
    public DeviceChoice resolve(Consumer<String> log) {
        if (kind == Kind.CPU) {
            return this;
        }
        CudaProbe probe = CudaProbe.run();
        if (kind == Kind.AUTO) {
            if (probe.usable()) {
                log.accept("device auto: stages run on " + probe.devices().getFirst().describe());
                return new DeviceChoice(Kind.CUDA, 0);
            }
            log.accept("device auto: running on the CPU (" + probe.summary() + ")");
            return CPU;
        }
        if (!probe.usable()) {
            throw new IllegalArgumentException("cannot run on " + this + ": " + probe.summary());
        }
        if (ordinal >= probe.devices().size()) {
            throw new IllegalArgumentException("cannot run on " + this + ": this machine has " + probe.devices().size()
                    + " CUDA device(s) (" + probe.summary() + ")");
        }
        log.accept("stages run on " + probe.devices().get(ordinal).describe());
        return this;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CPU -> "cpu";
            case AUTO -> "auto";
            case CUDA -> "cuda:" + ordinal;
        };
    }
}
