package io.strata.cuda;

import java.util.List;

/**
 * What Java believes a kernel takes: the PTX module it lives in, its entry name, and the kind of each
 * parameter in order. {@link KernelLaunch} packs arguments against it, and a test holds it against the
 * committed PTX, so a kernel's C signature cannot drift from its launches unnoticed.
 */
public record KernelSignature(String module, String entry, List<Param> params) {

    /** A kernel parameter as PTX declares it. */
    public enum Param {
        /** A device address ({@code T*}): {@code .u64}. */
        POINTER(".u64"),
        /** A C {@code int}: {@code .u32}. */
        INT(".u32"),
        /** A C {@code float}: {@code .f32}. */
        FLOAT(".f32");

        private final String ptxType;

        Param(String ptxType) {
            this.ptxType = ptxType;
        }

        public String ptxType() {
            return ptxType;
        }
    }

    public KernelSignature {
        params = List.copyOf(params);
    }

    static KernelSignature of(String module, String entry, Param... params) {
        return new KernelSignature(module, entry, List.of(params));
    }
}
