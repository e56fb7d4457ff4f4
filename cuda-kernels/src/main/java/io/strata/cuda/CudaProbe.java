package io.strata.cuda;

import io.strata.cuda.driver.CudaDriver;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What this machine offers: the driver version and each device, or the one line saying why CUDA is
 * not usable here (no driver library, no device, a driver too old for the PTX). Never throws.
 */
public record CudaProbe(int driverVersion, List<CudaDevice> devices, Optional<String> reason) {

    /** The oldest driver API that JIT-compiles the committed PTX (PTX ISA of CUDA 13.0). */
    public static final int MINIMUM_DRIVER = 13000;

    public boolean usable() {
        return reason.isEmpty();
    }

    /** One line: the devices, or why there are none. */
    public String summary() {
        if (!usable()) {
            return reason.get();
        }
        List<String> lines = devices.stream().map(CudaDevice::describe).toList();
        return "CUDA driver " + driverVersion / 1000 + "." + driverVersion % 1000 / 10 + ": " + String.join("; ", lines);
    }

    /** Prints {@link #summary()}; exits 1 when CUDA is not usable (for scripts). */
    public static void main(String[] args) {
        CudaProbe probe = run();
        System.out.println(probe.summary());
        System.exit(probe.usable() ? 0 : 1);
    }

    public static CudaProbe run() {
        Optional<String> missing = CudaDriverLibrary.load();
        if (missing.isPresent()) {
            return new CudaProbe(0, List.of(), missing);
        }
        try (Arena arena = Arena.ofConfined()) {
            int init = CudaDriver.cuInit(0);
            if (init == CudaDriver.CUDA_ERROR_NO_DEVICE()) {
                return new CudaProbe(0, List.of(), Optional.of("no CUDA device: the driver is installed but sees no GPU"));
            }
            CudaException.check(init, "cuInit");
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            CudaException.check(CudaDriver.cuDriverGetVersion(value), "cuDriverGetVersion");
            int version = value.get(ValueLayout.JAVA_INT, 0);
            CudaException.check(CudaDriver.cuDeviceGetCount(value), "cuDeviceGetCount");
            int count = value.get(ValueLayout.JAVA_INT, 0);
            if (count == 0) {
                return new CudaProbe(version, List.of(), Optional.of("no CUDA device: the driver is installed but sees no GPU"));
            }
            if (version < MINIMUM_DRIVER) {
                return new CudaProbe(version, List.of(), Optional.of("CUDA driver " + version / 1000 + "." + version % 1000 / 10
                        + " is older than 13.0, which the committed PTX needs: update the NVIDIA driver"));
            }
            List<CudaDevice> devices = new ArrayList<>();
            for (int ordinal = 0; ordinal < count; ordinal++) {
                devices.add(describe(ordinal));
            }
            return new CudaProbe(version, List.copyOf(devices), Optional.empty());
        } catch (CudaException | UnsatisfiedLinkError | IllegalArgumentException e) {
            return new CudaProbe(0, List.of(), Optional.of("CUDA not usable: " + e.getMessage()));
        }
    }

    /** Reads a device's identity and, through its primary context, its free memory. */
    static CudaDevice describe(int ordinal) {
        try (Arena arena = Arena.ofConfined(); CudaContext context = CudaContext.open(ordinal)) {
            int device = context.device();
            MemorySegment name = arena.allocate(256);
            CudaException.check(CudaDriver.cuDeviceGetName(name, 256, device), "cuDeviceGetName");
            long[] memory = context.memoryInfo();
            return new CudaDevice(ordinal, name.getString(0),
                    attribute(arena, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR(), device),
                    attribute(arena, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR(), device),
                    attribute(arena, CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT(), device),
                    memory[1], memory[0]);
        }
    }

    private static int attribute(Arena arena, int attribute, int device) {
        MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
        CudaException.check(CudaDriver.cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute");
        return value.get(ValueLayout.JAVA_INT, 0);
    }
}
