package io.strata.model;

/**
 * How a tensor's elements are laid out in bytes. The ids are GGML's type ids, so a GGUF
 * file's tensor type maps straight onto this enum and a split artifact keeps it byte for byte.
 *
 * <p>Block encodings (Q8_0, Q4_0) store {@link #blockSize()} elements in {@link #blockBytes()}
 * bytes: an F16 scale followed by the quantised values.
 */
public enum TensorEncoding {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q8_0(8, 32, 34),
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

    /** Elements per block: 1 for plain floats, 32 for Q8_0 and Q4_0. */
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
