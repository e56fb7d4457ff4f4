package io.strata.split;

import java.util.Locale;

/** Byte counts for people: "1.5 GiB", and back ("16g", "512MiB", "1073741824"). */
public final class ByteSizes {
    private ByteSizes() {
    }

    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Parses a size such as "24g", "512MiB", "1.5GB" or a plain number of bytes. */
    public static long parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("not a size: '" + text + "' (try 16g, 512m or a number of bytes)");
        }
        double n = Double.parseDouble(t.substring(0, i));
        long scale = switch (t.substring(i)) {
            case "", "b" -> 1L;
            case "k", "kb", "kib" -> 1L << 10;
            case "m", "mb", "mib" -> 1L << 20;
            case "g", "gb", "gib" -> 1L << 30;
            case "t", "tb", "tib" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown size unit in '" + text + "' (use k, m, g or t)");
        };
        return (long) (n * scale);
    }
}
