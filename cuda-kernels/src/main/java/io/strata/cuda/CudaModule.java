package io.strata.cuda;

import io.strata.cuda.driver.CudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** A PTX module loaded into the current context (the driver JIT-compiles it for the device). */
public final class CudaModule implements AutoCloseable {
    private final String name;
    private final MemorySegment handle;
    private boolean unloaded;

    private CudaModule(String name, MemorySegment handle) {
        this.name = name;
        this.handle = handle;
    }

    /** Loads {@code <name>.ptx} from the committed kernels on the class path. */
    public static CudaModule load(String name) {
        return loadPtx(name, ptx(name));
    }

    /** The committed PTX text of module {@code name}. */
    public static String ptx(String name) {
        String resource = Kernels.PTX_RESOURCE_FOLDER + name + ".ptx";
        try (InputStream in = CudaModule.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no kernel module " + resource + " on the class path; rebuild cuda-kernels");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads PTX text into the context current on this thread. */
    public static CudaModule loadPtx(String name, String ptx) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaException.check(CudaDriver.cuModuleLoadData(out, arena.allocateFrom(ptx, StandardCharsets.US_ASCII)),
                    "cuModuleLoadData(" + name + ".ptx)");
            return new CudaModule(name, out.get(ValueLayout.ADDRESS, 0));
        }
    }

    /** The kernel {@code signature} names, which must live in this module. */
    public CudaKernel kernel(KernelSignature signature) {
        if (!signature.module().equals(name)) {
            throw new IllegalArgumentException(signature.entry() + " lives in module " + signature.module() + ", not " + name);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            CudaException.check(CudaDriver.cuModuleGetFunction(out, handle, arena.allocateFrom(signature.entry())),
                    "cuModuleGetFunction(" + signature.entry() + ")");
            return new CudaKernel(signature, out.get(ValueLayout.ADDRESS, 0));
        }
    }

    @Override
    public void close() {
        if (!unloaded) {
            unloaded = true;
            CudaException.check(CudaDriver.cuModuleUnload(handle), "cuModuleUnload");
        }
    }
}
