package io.strata.model.gguf;

/** The value types of GGUF metadata, with their on-disk ids. */
public enum GgufType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4),
    FLOAT32(6, 4), BOOL(7, 1), STRING(8, -1), ARRAY(9, -1), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private final int id;
    private final int fixedSize;

    GgufType(int id, int fixedSize) {
        this.id = id;
        this.fixedSize = fixedSize;
    }

    public int id() {
        return id;
    }

    /** Bytes of one value, or -1 for STRING and ARRAY whose size depends on the value. */
    public int fixedSize() {
        return fixedSize;
    }

    /** The type with on-disk id {@code id}, or null when the id is unknown. */
    public static GgufType ofId(int id) {
        for (GgufType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
