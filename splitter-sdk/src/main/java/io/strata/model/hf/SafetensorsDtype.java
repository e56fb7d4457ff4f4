package io.strata.model.hf;

import io.strata.model.TensorEncoding;

import java.util.Set;

/** The safetensors element types Strata reads and writes, with their tensor encodings. */
public enum SafetensorsDtype {
    F32(TensorEncoding.F32, "float32"),
    F16(TensorEncoding.F16, "float16"),
    BF16(TensorEncoding.BF16, "bfloat16");

    /** Types the format defines that Strata does not read, so errors can tell them from typos. */
    static final Set<String> OTHER_KNOWN = Set.of(
            "F64", "I64", "U64", "I32", "U32", "I16", "U16", "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "F8_E8M0",
            "F4", "F6_E2M3", "F6_E3M2", "C64");

    private final TensorEncoding encoding;
    private final String torchName;

    SafetensorsDtype(TensorEncoding encoding, String torchName) {
        this.encoding = encoding;
        this.torchName = torchName;
    }

    public TensorEncoding encoding() {
        return encoding;
    }

    public int bytesPerElement() {
        return encoding.blockBytes();
    }

    /** The name config.json's {@code torch_dtype} uses ("float32", "float16", "bfloat16"). */
    public String torchName() {
        return torchName;
    }

    /** The dtype spelled {@code name} in a safetensors header, or null when Strata cannot read it. */
    public static SafetensorsDtype ofHeaderName(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The dtype named {@code name} as in a header ("BF16") or as torch spells it ("bfloat16"), any case. */
    public static SafetensorsDtype parse(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equalsIgnoreCase(name) || d.torchName.equalsIgnoreCase(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown safetensors dtype " + name + " — use F32, F16 or BF16");
    }
}
