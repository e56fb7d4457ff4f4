package io.strata.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Arguments are checked against the kernel's descriptor before anything reaches the driver. */
class KernelLaunchTest {
    private final CudaKernel residualAdd = new CudaKernel(Kernels.RESIDUAL_ADD, MemorySegment.NULL);

    @Test
    void anArgumentOfTheWrongKindIsRefusedNamingTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> residualAdd.launch().i32(3));
        assertTrue(e.getMessage().contains("residual_add parameter 0 is POINTER, not INT"), e.getMessage());
    }

    @Test
    void tooFewArgumentsAreRefusedBeforeTheLaunch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> residualAdd.launch().run(null, 1, 1, 32));
        assertTrue(e.getMessage().contains("takes 3 parameters, given 0"), e.getMessage());
    }

    @Test
    void floatsAndIntsAreNotInterchangeable() {
        CudaKernel rmsnorm = new CudaKernel(Kernels.RMSNORM, MemorySegment.NULL);
        assertThrows(IllegalArgumentException.class, () -> rmsnorm.launch().f32(1f));
    }
}
