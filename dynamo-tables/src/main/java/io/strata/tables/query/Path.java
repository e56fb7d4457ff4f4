package io.strata.tables.query;

import io.strata.tables.InvalidQueryException;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A dotted path into an item, such as {@code split_runner_metadata.framework}. Segments are {@code [A-Za-z0-9_-]+}:
 * anything else ({@code a..b}, {@code $x}, {@code a[0]}, spaces) is refused, so a path can never be mistaken for an
 * operator or for expression syntax.
 */
public record Path(List<String> segments) {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]+");

    public Path {
        segments = List.copyOf(segments);
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a path has at least one segment");
        }
    }

    /** Parses {@code text}; {@code where} (e.g. "filter", "$set") goes into the message when it is malformed. */
    public static Path parse(String text, String where) {
        if (text.isEmpty()) {
            throw new InvalidQueryException(where + ": empty path — paths are dot-separated segments of [A-Za-z0-9_-]");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length > QueryLimits.MAX_PATH_SEGMENTS) {
            throw new InvalidQueryException(where + ": path \"" + shorten(text) + "\" has " + parts.length
                    + " segments; at most " + QueryLimits.MAX_PATH_SEGMENTS);
        }
        for (String part : parts) {
            if (part.length() > QueryLimits.MAX_SEGMENT_LENGTH || !SEGMENT.matcher(part).matches()) {
                throw new InvalidQueryException(where + ": path \"" + shorten(text)
                        + "\" is malformed — paths are dot-separated segments of [A-Za-z0-9_-] (at most "
                        + QueryLimits.MAX_SEGMENT_LENGTH + " characters each)");
            }
        }
        return new Path(List.of(parts));
    }

    public static Path of(String... segments) {
        return new Path(List.of(segments));
    }

    public String first() {
        return segments.getFirst();
    }

    public String last() {
        return segments.getLast();
    }

    public int length() {
        return segments.size();
    }

    /** The path made of the first {@code n} segments. */
    public Path prefix(int n) {
        return new Path(segments.subList(0, n));
    }

    /** True when this path equals {@code other} or is an ancestor of it ({@code a} of {@code a.b}). */
    public boolean contains(Path other) {
        return other.segments.size() >= segments.size() && other.segments.subList(0, segments.size()).equals(segments);
    }

    @Override
    public String toString() {
        return String.join(".", segments);
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
