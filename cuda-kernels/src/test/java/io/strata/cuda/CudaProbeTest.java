package io.strata.cuda;

import io.strata.cuda.driver.CudaDriver;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The probe says in one line what this machine offers or why it offers nothing; it never throws. */
class CudaProbeTest {

    @Test
    void probeReportsDevicesOrOneLineWhyNot() {
        CudaProbe probe = CudaProbe.run();
        if (probe.usable()) {
            assertFalse(probe.devices().isEmpty());
            assertTrue(probe.devices().getFirst().totalBytes() > 0);
        } else {
            assertTrue(probe.devices().isEmpty());
        }
        assertFalse(probe.summary().isBlank());
        assertFalse(probe.summary().contains("\n"), "one line: " + probe.summary());
    }

    @Test
    void withoutTheDriverLibraryTheReasonNamesIt() {
        boolean driverInstalled = System.getenv(CudaDriverLibrary.PATH_VARIABLE) != null
                || CudaDriverLibrary.searchPath().stream().anyMatch(d -> Files.exists(Path.of(d, CudaDriverLibrary.SONAME)));
        assumeTrue(!driverInstalled, "this machine has a CUDA driver library");
        CudaProbe probe = CudaProbe.run();
        assertFalse(probe.usable());
        assertTrue(probe.summary().startsWith("no CUDA driver: libcuda.so.1 not found"), probe.summary());
    }

    @Test
    void bindingsLoadWithoutTheDriver() {
        // Class initialisation must not touch the driver: only a call does.
        assertEquals(0, CudaDriver.CUDA_SUCCESS());
        assertEquals(100, CudaDriver.CUDA_ERROR_NO_DEVICE());
    }
}
