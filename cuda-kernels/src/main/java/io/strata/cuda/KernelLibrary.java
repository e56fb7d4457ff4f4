package io.strata.cuda;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every committed kernel module loaded into the current context, with its kernels looked up once. */
public final class KernelLibrary implements AutoCloseable {
    private final Map<String, CudaModule> modules = new LinkedHashMap<>();
    private final Map<KernelSignature, CudaKernel> kernels = new LinkedHashMap<>();

    private KernelLibrary() {
    }

    /** Loads the PTX of every module {@link Kernels#ALL} names; the context must be current. */
    public static KernelLibrary load() {
        KernelLibrary library = new KernelLibrary();
        try {
            for (KernelSignature signature : Kernels.ALL) {
                CudaModule module = library.modules.computeIfAbsent(signature.module(), CudaModule::load);
                library.kernels.put(signature, module.kernel(signature));
            }
            return library;
        } catch (RuntimeException e) {
            library.close();
            throw e;
        }
    }

    public CudaKernel kernel(KernelSignature signature) {
        CudaKernel kernel = kernels.get(signature);
        if (kernel == null) {
            throw new IllegalArgumentException("no kernel " + signature.entry() + " in the kernel library");
        }
        return kernel;
    }

    @Override
    public void close() {
        modules.values().forEach(CudaModule::close);
        modules.clear();
        kernels.clear();
    }
}
