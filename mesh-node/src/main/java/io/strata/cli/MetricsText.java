package io.strata.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Samples read back from a Prometheus text page, to report a node's figures. */
final class MetricsText {
    /** One sample line: metric name, labels, value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private MetricsText(List<Sample> samples) {
        this.samples = samples;
    }

    static MetricsText parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0) {
                String body = line.substring(brace + 1, line.lastIndexOf('}'));
                for (String pair : body.split(",(?=[a-zA-Z_]+=\")")) {
                    int eq = pair.indexOf('=');
                    labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                }
            }
            String v = line.substring(space + 1);
            double value = v.equals("+Inf") ? Double.POSITIVE_INFINITY : v.equals("NaN") ? Double.NaN : Double.parseDouble(v);
            out.add(new Sample(name, labels, value));
        }
        return new MetricsText(out);
    }

    /** The value of {@code name} whose labels include {@code label = value}, or NaN. */
    double value(String name, String label, String labelValue) {
        for (Sample s : samples) {
            if (s.name().equals(name) && labelValue.equals(s.labels().get(label))) {
                return s.value();
            }
        }
        return Double.NaN;
    }

    /** The sum of every sample of {@code name} (over all its label sets); 0 when there is none. */
    double sum(String name) {
        double total = 0;
        for (Sample s : samples) {
            if (s.name().equals(name)) {
                total += s.value();
            }
        }
        return total;
    }

    /** The value of an unlabelled-by-block metric (the first sample of {@code name}), or NaN. */
    double value(String name) {
        for (Sample s : samples) {
            if (s.name().equals(name)) {
                return s.value();
            }
        }
        return Double.NaN;
    }
}
