package io.strata.model.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One typed GGUF metadata value. The type is kept so a value read from one file is written
 * to another (a split artifact) with exactly the same bytes.
 *
 * <p>Java representation of {@code value} by type: UINT8, INT8, UINT16, INT16, INT32 →
 * {@link Integer} (unsigned widened); UINT32, INT64, UINT64 → {@link Long} (UINT64 as its bit
 * pattern); FLOAT32 → {@link Float}; FLOAT64 → {@link Double}; BOOL → {@link Boolean};
 * STRING → {@link String}; ARRAY → {@link GgufArray}.
 */
public record GgufValue(GgufType type, Object value) {
    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        Class<?> expected = switch (type) {
            case UINT8, INT8, UINT16, INT16, INT32 -> Integer.class;
            case UINT32, INT64, UINT64 -> Long.class;
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> GgufArray.class;
        };
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(type + " value must be a " + expected.getSimpleName()
                    + ", got " + value.getClass().getSimpleName());
        }
    }

    public static GgufValue ofString(String s) {
        return new GgufValue(GgufType.STRING, s);
    }

    public static GgufValue ofUint32(long v) {
        return new GgufValue(GgufType.UINT32, v);
    }

    public static GgufValue ofInt32(int v) {
        return new GgufValue(GgufType.INT32, v);
    }

    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufType.FLOAT32, v);
    }

    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufType.BOOL, v);
    }

    public static GgufValue ofArray(GgufArray a) {
        return new GgufValue(GgufType.ARRAY, a);
    }

    /**
     * A GGUF array: one element type and the values as a primitive array so that vocabularies
     * of 150,000 entries stay compact. {@code values} is {@code int[]} for UINT8, INT8, UINT16,
     * INT16, INT32; {@code long[]} for UINT32, INT64, UINT64; {@code float[]}; {@code double[]};
     * {@code boolean[]}; {@code String[]}; or {@code GgufArray[]} for nested arrays.
     */
    public record GgufArray(GgufType elementType, Object values) {
        public GgufArray {
            Objects.requireNonNull(elementType, "elementType");
            Class<?> expected = switch (elementType) {
                case UINT8, INT8, UINT16, INT16, INT32 -> int[].class;
                case UINT32, INT64, UINT64 -> long[].class;
                case FLOAT32 -> float[].class;
                case FLOAT64 -> double[].class;
                case BOOL -> boolean[].class;
                case STRING -> String[].class;
                case ARRAY -> GgufArray[].class;
            };
            if (!expected.isInstance(values)) {
                throw new IllegalArgumentException("array of " + elementType + " must hold a "
                        + expected.getSimpleName());
            }
        }

        public int length() {
            return java.lang.reflect.Array.getLength(values);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof GgufArray other && elementType == other.elementType
                    && Arrays.deepEquals(new Object[] {values}, new Object[] {other.values});
        }

        @Override
        public int hashCode() {
            return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {values});
        }

        @Override
        public String toString() {
            return "array<" + elementType + ">[" + length() + "]";
        }
    }
}
