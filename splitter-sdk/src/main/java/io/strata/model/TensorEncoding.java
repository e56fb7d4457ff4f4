package io.strata.model;

/**
 * How a tensor's elements are laid out in bytes. The ids are GGML's type ids, so a GGUF
 * file's tensor type maps straight onto this enum and a split artifact keeps it byte for byte.
 *
 * <p>Block encodings store {@link #blockSize()} elements in {@link #blockBytes()} bytes: the
 * legacy ones (Q4_0 … Q8_0, IQ4_NL) blocks of 32 with an F16 scale (and minimum), the K-quants
 * and IQ4_XS super-blocks of 256 with sub-block scales, laid out as ggml's {@code ggml-common.h}.
 */
public enum TensorEncoding {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    IQ4_NL(20, 32, 18),
    IQ4_XS(23, 256, 136),
    BF16(30, 1, 2);

    private final int ggmlType;
    private final int blockSize;
    private final int blockBytes;

    TensorEncoding(int ggmlType, int blockSize, int blockBytes) {
        this.ggmlType = ggmlType;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** GGML's numeric id for this type, as written in a GGUF tensor info. */
    public int ggmlType() {
        return ggmlType;
    }

    /** Elements per block: 1 for plain floats, 32 for the legacy quantisations, 256 for the K-quants and IQ4_XS. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /**
     * Bytes needed for {@code elements} values.
     *
     * @throws IllegalArgumentException when the count is not a whole number of blocks
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    name() + " stores elements in blocks of " + blockSize + "; " + elements + " is not a multiple");
        }
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }

    /** The encoding with GGML id {@code id}, or null when Strata does not support it. */
    public static TensorEncoding ofGgmlType(int id) {
        for (TensorEncoding e : values()) {
            if (e.ggmlType == id) {
                return e;
            }
        }
        return null;
    }
}
