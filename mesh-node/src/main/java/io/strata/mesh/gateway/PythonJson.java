package io.strata.mesh.gateway;

import java.util.Map;

/**
 * Jinja's {@code tojson} as transformers' chat templates see it: Python's {@code json.dumps}
 * with {@code ensure_ascii=False}, so {@code ", "} and {@code ": "} between items (jinjava's own
 * filter writes compact JSON, which would change the tokens of a tool list), and with
 * {@code indent} the same layout as Python's.
 */
final class PythonJson {
    private PythonJson() {
    }

    static String dumps(Object value, int indent) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, indent, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int indent, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case Number n -> sb.append(n);
            case CharSequence s -> string(sb, s.toString());
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    separator(sb, first, indent, depth + 1);
                    string(sb, String.valueOf(e.getKey()));
                    sb.append(": ");
                    write(sb, e.getValue(), indent, depth + 1);
                    first = false;
                }
                close(sb, indent, depth);
                sb.append('}');
            }
            case Iterable<?> items -> {
                if (!items.iterator().hasNext()) {
                    sb.append("[]");
                    return;
                }
                sb.append('[');
                boolean first = true;
                for (Object o : items) {
                    separator(sb, first, indent, depth + 1);
                    write(sb, o, indent, depth + 1);
                    first = false;
                }
                close(sb, indent, depth);
                sb.append(']');
            }
            default -> string(sb, v.toString());
        }
    }

    private static void separator(StringBuilder sb, boolean first, int indent, int depth) {
        if (indent > 0) {
            sb.append(first ? "\n" : ",\n").append(" ".repeat(indent * depth));
        } else if (!first) {
            sb.append(", ");
        }
    }

    private static void close(StringBuilder sb, int indent, int depth) {
        if (indent > 0) {
            sb.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
