package io.strata.engine;

import io.strata.cuda.CudaProbe;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** --device's forms, and what each becomes on this machine. */
class DeviceChoiceTest {

    @Test
    void parsesTheThreeFormsAndRefusesOthersNamingThem() {
        assertEquals(DeviceChoice.CPU, DeviceChoice.parse("cpu"));
        assertEquals(new DeviceChoice(DeviceChoice.Kind.CUDA, 0), DeviceChoice.parse("cuda"));
        assertEquals(new DeviceChoice(DeviceChoice.Kind.CUDA, 2), DeviceChoice.parse("CUDA:2"));
        assertEquals(DeviceChoice.Kind.AUTO, DeviceChoice.parse("auto").kind());
        for (String bad : new String[] {"gpu", "cuda:", "cuda:-1", "cuda:x", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceChoice.parse(bad));
            assertTrue(e.getMessage().contains("cpu|cuda[:N]|auto"), e.getMessage());
        }
    }

    @Test
    void autoWithoutAGpuFallsBackToTheCpuSayingWhyInOneLine() {
        CudaProbe probe = CudaProbe.run();
        assumeFalse(probe.usable(), "this machine has a GPU");
        List<String> log = new ArrayList<>();
        assertEquals(DeviceChoice.CPU, DeviceChoice.parse("auto").resolve(log::add));
        assertEquals(List.of("device auto: running on the CPU (" + probe.summary() + ")"), log);
    }

    @Test
    void cudaWithoutAGpuIsRefusedWithTheProbesReason() {
        CudaProbe probe = CudaProbe.run();
        assumeFalse(probe.usable(), "this machine has a GPU");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceChoice.parse("cuda").resolve(line -> { }));
        assertEquals("cannot run on cuda:0: " + probe.summary(), e.getMessage());
    }

    @Test
    void cpuNeedsNoProbe() {
        List<String> log = new ArrayList<>();
        assertEquals(DeviceChoice.CPU, DeviceChoice.CPU.resolve(log::add));
        assertTrue(log.isEmpty());
    }
}
