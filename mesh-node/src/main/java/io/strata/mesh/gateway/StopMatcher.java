package io.strata.mesh.gateway;

import java.util.List;

/**
 * Applies OpenAI's {@code stop} strings to streamed text: text that might be the start of a stop
 * string is held back until it is clearly not, and generation ends where one appears (the stop
 * string itself is not returned).
 */
final class StopMatcher {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopMatcher(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Adds text; returns what can be sent now. After a match, {@link #stopped()} is true and nothing more is sent. */
    String push(String text) {
        if (stopped) {
            return "";
        }
        held.append(text);
        int at = firstMatch();
        if (at >= 0) {
            stopped = true;
            String out = held.substring(0, at);
            held.setLength(0);
            return out;
        }
        int keep = longestPartialSuffix();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** The text held back, at the end of generation. */
    String flush() {
        String out = stopped ? "" : held.toString();
        held.setLength(0);
        return out;
    }

    boolean stopped() {
        return stopped;
    }

    private int firstMatch() {
        int best = -1;
        for (String s : stops) {
            int i = held.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /** Length of the longest end of the held text that begins some stop string. */
    private int longestPartialSuffix() {
        int keep = 0;
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, held.length()); len > keep; len--) {
                if (held.toString().regionMatches(held.length() - len, s, 0, len)) {
                    keep = len;
                    break;
                }
            }
        }
        return keep;
    }
}
