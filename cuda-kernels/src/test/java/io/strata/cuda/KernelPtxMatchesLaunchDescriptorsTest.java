package io.strata.cuda;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed PTX declares exactly the kernels, parameter kinds and order that the Java launches pack. */
class KernelPtxMatchesLaunchDescriptorsTest {

    @Test
    void everyDescribedKernelIsInItsModuleWithTheSameParameterList() {
        for (KernelSignature signature : Kernels.ALL) {
            Map<String, List<String>> entries = PtxEntries.read(CudaModule.ptx(signature.module()));
            assertTrue(entries.containsKey(signature.entry()),
                    signature.module() + ".ptx has no entry " + signature.entry() + "; it has " + entries.keySet());
            List<String> expected = signature.params().stream().map(KernelSignature.Param::ptxType).toList();
            assertEquals(expected, entries.get(signature.entry()), "parameters of " + signature.entry());
        }
    }

    @Test
    void everyEntryOfTheCommittedPtxHasALaunchDescriptor() throws Exception {
        Map<String, KernelSignature> described = new HashMap<>();
        Kernels.ALL.forEach(s -> described.put(s.entry(), s));
        Set<String> modules = new HashSet<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/cuda"))) {
            for (Path cu : files.filter(p -> p.toString().endsWith(".cu")).toList()) {
                String module = cu.getFileName().toString().replace(".cu", "");
                Path ptx = cu.resolveSibling(module + ".ptx");
                assertTrue(Files.isRegularFile(ptx), ptx + " is missing: run cuda-kernels/compile-kernels.sh");
                modules.add(module);
                Map<String, List<String>> entries = PtxEntries.read(Files.readString(ptx));
                assertFalse(entries.isEmpty(), ptx + " declares no kernel");
                for (String entry : entries.keySet()) {
                    KernelSignature signature = described.get(entry);
                    assertTrue(signature != null, entry + " in " + ptx + " has no descriptor in Kernels");
                    assertEquals(module, signature.module(), "module of " + entry);
                }
            }
        }
        Set<String> describedModules = new HashSet<>();
        Kernels.ALL.forEach(s -> describedModules.add(s.module()));
        assertEquals(describedModules, modules);
    }

    @Test
    void ptxTargetsAnIsaTheMinimumDriverJitCompiles() {
        for (KernelSignature signature : Kernels.ALL) {
            String ptx = CudaModule.ptx(signature.module());
            assertTrue(ptx.contains(".version 9.0"), signature.module() + ".ptx: PTX ISA 9.0 is what driver 13.0 reads");
            assertTrue(ptx.contains(".target sm_75"), signature.module() + ".ptx: compute_75 runs on every GPU from Turing on");
        }
    }
}
