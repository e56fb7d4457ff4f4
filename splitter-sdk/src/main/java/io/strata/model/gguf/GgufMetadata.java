package io.strata.model.gguf;

import io.strata.model.ModelFormatException;
import io.strata.model.gguf.GgufValue.GgufArray;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The key/value metadata of a GGUF file, in file order, with typed accessors that fail with
 * a message naming the file and the key.
 */
public final class GgufMetadata {
    private final Path source;
    private final LinkedHashMap<String, GgufValue> entries;

    public GgufMetadata(Path source, Map<String, GgufValue> entries) {
        this.source = source;
        this.entries = new LinkedHashMap<>(entries);
    }

    /** The file the metadata came from (used in error messages); may be null for new files. */
    public Path source() {
        return source;
    }

    /** Every entry in file order; unmodifiable. */
    public Map<String, GgufValue> entries() {
        return Collections.unmodifiableMap(entries);
    }

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    public String string(String key) {
        Object v = require(key).value();
        if (v instanceof String s) {
            return s;
        }
        throw wrongType(key, "a string");
    }

    public Optional<String> optionalString(String key) {
        return has(key) ? Optional.of(string(key)) : Optional.empty();
    }

    /** An integer of any GGUF integer type that fits in an int. */
    public int intValue(String key) {
        Object v = require(key).value();
        long l;
        if (v instanceof Integer i) {
            l = i;
        } else if (v instanceof Long x) {
            l = x;
        } else {
            throw wrongType(key, "an integer");
        }
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new ModelFormatException(source, "metadata " + key + " = " + l + " is out of range");
        }
        return (int) l;
    }

    public Optional<Integer> optionalInt(String key) {
        return has(key) ? Optional.of(intValue(key)) : Optional.empty();
    }

    /** A number of any GGUF numeric type, as a float. */
    public float floatValue(String key) {
        Object v = require(key).value();
        if (v instanceof Number n) {
            return n.floatValue();
        }
        throw wrongType(key, "a number");
    }

    public Optional<Float> optionalFloat(String key) {
        return has(key) ? Optional.of(floatValue(key)) : Optional.empty();
    }

    public boolean boolValue(String key) {
        Object v = require(key).value();
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, "a bool");
    }

    public GgufArray array(String key) {
        Object v = require(key).value();
        if (v instanceof GgufArray a) {
            return a;
        }
        throw wrongType(key, "an array");
    }

    public String[] stringArray(String key) {
        GgufArray a = array(key);
        if (a.values() instanceof String[] s) {
            return s;
        }
        throw wrongType(key, "an array of strings");
    }

    public float[] floatArray(String key) {
        GgufArray a = array(key);
        if (a.values() instanceof float[] f) {
            return f;
        }
        if (a.values() instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        throw wrongType(key, "an array of floats");
    }

    /** An array of any integer type whose values fit in an int. */
    public int[] intArray(String key) {
        GgufArray a = array(key);
        if (a.values() instanceof int[] i) {
            return i;
        }
        if (a.values() instanceof long[] l) {
            int[] out = new int[l.length];
            for (int k = 0; k < l.length; k++) {
                out[k] = Math.toIntExact(l[k]);
            }
            return out;
        }
        throw wrongType(key, "an array of integers");
    }

    private GgufValue require(String key) {
        GgufValue v = entries.get(key);
        if (v == null) {
            throw new ModelFormatException(source, "metadata has no key " + key);
        }
        return v;
    }

    private ModelFormatException wrongType(String key, String what) {
        return new ModelFormatException(source, "metadata " + key + " should be " + what + " but is "
                + entries.get(key).type());
    }
}
