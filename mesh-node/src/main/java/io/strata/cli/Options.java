package io.strata.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The flags one command accepts, declared up front so that parsing, validation and
 * {@code --help} all come from the same list.
 */
public final class Options {
    private record Spec(String name, String valueName, String help, String defaultValue) {
        boolean isFlag() {
            return valueName == null;
        }
    }

    private final String usage;
    private final String summary;
    private final Map<String, Spec> specs = new LinkedHashMap<>();

    public Options(String usage, String summary) {
        this.usage = usage;
        this.summary = summary;
        flag("help", "show this help and exit");
    }

    /** An option that takes a value, e.g. {@code --model PATH}; {@code defaultValue} may be null. */
    public Options value(String name, String valueName, String help, String defaultValue) {
        specs.put(name, new Spec(name, valueName, help, defaultValue));
        return this;
    }

    /** A boolean switch, e.g. {@code --json}. */
    public Options flag(String name, String help) {
        specs.put(name, new Spec(name, null, help, null));
        return this;
    }

    public String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: ").append(usage).append("\n\n").append(summary).append("\n\noptions:\n");
        for (Spec s : specs.values()) {
            String left = "  --" + s.name + (s.isFlag() ? "" : " " + s.valueName);
            sb.append(String.format("%-28s %s", left, s.help));
            if (s.defaultValue != null) {
                sb.append(" (default: ").append(s.defaultValue).append(')');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Parses {@code args}; unknown options and missing values are {@link CliException}s. */
    public Parsed parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.equals("--")) {
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Spec spec = specs.get(name);
            if (spec == null) {
                throw new CliException("unknown option --" + name + " (see --help)");
            }
            if (spec.isFlag()) {
                if (inline != null) {
                    throw new CliException("--" + name + " takes no value");
                }
                values.put(name, "true");
            } else if (inline != null) {
                values.put(name, inline);
            } else {
                if (i + 1 >= args.length) {
                    throw new CliException("--" + name + " needs a value: --" + name + " " + spec.valueName);
                }
                values.put(name, args[++i]);
            }
        }
        return new Parsed(values, positional);
    }

    /** The result of parsing: typed getters with the declared defaults and clear errors. */
    public final class Parsed {
        private final Map<String, String> values;
        private final List<String> positional;

        private Parsed(Map<String, String> values, List<String> positional) {
            this.values = values;
            this.positional = positional;
        }

        public boolean has(String name) {
            return values.containsKey(name);
        }

        public boolean flag(String name) {
            return values.containsKey(name);
        }

        public List<String> positional() {
            return positional;
        }

        public Optional<String> optional(String name) {
            String v = values.get(name);
            if (v == null) {
                Spec s = specs.get(name);
                v = s == null ? null : s.defaultValue;
            }
            return Optional.ofNullable(v);
        }

        public String string(String name) {
            return optional(name).orElseThrow(() -> new CliException("missing --" + name + " (see --help)"));
        }

        public int integer(String name) {
            String v = string(name);
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new CliException("--" + name + " must be a whole number, got '" + v + "'");
            }
        }

        public long longValue(String name) {
            String v = string(name);
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new CliException("--" + name + " must be a whole number, got '" + v + "'");
            }
        }

        public float number(String name) {
            String v = string(name);
            try {
                float f = Float.parseFloat(v);
                if (!Float.isFinite(f)) {
                    throw new NumberFormatException();
                }
                return f;
            } catch (NumberFormatException e) {
                throw new CliException("--" + name + " must be a number, got '" + v + "'");
            }
        }
    }
}
