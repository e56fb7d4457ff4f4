package io.strata.engine;

import io.strata.engine.cpu.CpuStageEngine;
import io.strata.engine.gpu.GpuStageEngine;
import io.strata.model.LoadedModel;

/** Opens the stage engine that runs a layer range of a loaded model; the one place that names a backend. */
public final class StageEngines {
    /** Picks the device for processes without a --device option (generate, bench): {@link DeviceChoice#FORMS}. */
    public static final String DEVICE_ENV = "STRATA_DEVICE";
    private static final System.Logger LOG = System.getLogger(StageEngines.class.getName());

    /** The process's device, resolved; null until chosen or first needed. */
    private static volatile DeviceChoice device;

    private StageEngines() {
    }

    /**
     * Sets the device every engine opened from now on runs on (a node's --device), resolved first;
     * {@code log} hears in one line which GPU, or why {@code auto} fell back to the CPU.
     *
     * @throws IllegalArgumentException when a GPU was asked for and is not usable, naming why
     */
    public static DeviceChoice useDevice(DeviceChoice choice, java.util.function.Consumer<String> log) {
        DeviceChoice resolved = choice.resolve(log);
        device = resolved;
        return resolved;
    }

    /** The device engines open on: the one chosen, else $STRATA_DEVICE, else the CPU. */
    public static DeviceChoice device() {
        DeviceChoice d = device;
        if (d == null) {
            String env = System.getenv(DEVICE_ENV);
            d = env == null || env.isBlank() ? DeviceChoice.CPU : useDevice(parseEnvironment(env), line -> LOG.log(System.Logger.Level.INFO, line));
            device = d;
        }
        return d;
    }

    private static DeviceChoice parseEnvironment(String env) {
        try {
            return DeviceChoice.parse(env);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("$" + DEVICE_ENV + ": " + e.getMessage());
        }
    }

    /**
     * The engine for layers {@code [first, last)} of {@code model}, reading its weights in place.
     *
     * @throws IllegalArgumentException when the range is empty or outside the model
     * @throws io.strata.model.ModelFormatException when a tensor the range needs is missing or misshapen
     */
    public static StageEngine open(LoadedModel model, int first, int last) {
        DeviceChoice d = device();
        return d.kind() == DeviceChoice.Kind.CUDA
                ? new GpuStageEngine(model, first, last, d.ordinal())
                : new CpuStageEngine(model, first, last);
    }

    /** The whole model as one stage. */
    public static StageEngine whole(LoadedModel model) {
        return open(model, 0, model.config().layers());
    }
}
