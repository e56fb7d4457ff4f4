package io.strata.mesh.gateway;

import io.strata.mesh.pipeline.LatencyHistogram;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Writes the Prometheus text exposition format (version 0.0.4): HELP and TYPE once per family, then samples. */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder();
    private final Set<String> declared = new HashSet<>();

    /** Declares a family (once; later calls for the same name are ignored). */
    PrometheusText family(String name, String type, String help) {
        if (declared.add(name)) {
            out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                    .append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
        }
        return this;
    }

    /** One sample; {@code labels} alternate names and values. */
    PrometheusText sample(String name, double value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
        return this;
    }

    /** A histogram's buckets, sum and count under {@code name}. */
    PrometheusText histogram(String name, String help, LatencyHistogram.Snapshot h, String... labels) {
        family(name, "histogram", help);
        for (int i = 0; i < LatencyHistogram.BOUNDS.length; i++) {
            sample(name + "_bucket", h.cumulative()[i], with(labels, "le", number(LatencyHistogram.BOUNDS[i])));
        }
        sample(name + "_bucket", h.count(), with(labels, "le", "+Inf"));
        sample(name + "_sum", h.sumSeconds(), labels);
        sample(name + "_count", h.count(), labels);
        return this;
    }

    private static String[] with(String[] labels, String name, String value) {
        String[] out = java.util.Arrays.copyOf(labels, labels.length + 2);
        out[labels.length] = name;
        out[labels.length + 1] = value;
        return out;
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.9g", v).replaceFirst("0+(e|$)", "$1").replaceFirst("\\.(e|$)", "$1");
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
