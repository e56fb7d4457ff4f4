package io.strata.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds special and added tokens ({@code <|begin_of_text|>}, {@code <|im_start|>}, {@code </s>})
 * written in a text, so they become their own ids instead of being spelled out by BPE. The
 * longest token wins where several start at the same place; candidates are grouped by their
 * first character so a long text with hundreds of special tokens stays a linear scan.
 */
final class SpecialTokenMatcher {
    /** A piece of the text: either ordinary text starting at {@code offset}, or one token (text null). */
    record Segment(String text, int offset, int token) {
        boolean isToken() {
            return text == null;
        }
    }

    private record Entry(String content, int id) {
    }

    private final Map<Character, List<Entry>> byFirstChar = new HashMap<>();

    /** {@code tokens}: content → id; empty contents are ignored. */
    SpecialTokenMatcher(Map<String, Integer> tokens) {
        tokens.forEach((content, id) -> {
            if (content != null && !content.isEmpty()) {
                byFirstChar.computeIfAbsent(content.charAt(0), c -> new ArrayList<>()).add(new Entry(content, id));
            }
        });
        for (List<Entry> list : byFirstChar.values()) {
            list.sort(Comparator.comparingInt((Entry e) -> e.content().length()).reversed()
                    .thenComparingInt(Entry::id));
        }
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }

    List<Segment> split(String text) {
        List<Segment> out = new ArrayList<>();
        if (byFirstChar.isEmpty()) {
            if (!text.isEmpty()) {
                out.add(new Segment(text, 0, -1));
            }
            return out;
        }
        int runStart = 0;
        int i = 0;
        while (i < text.length()) {
            Entry hit = match(text, i);
            if (hit == null) {
                i++;
                continue;
            }
            if (i > runStart) {
                out.add(new Segment(text.substring(runStart, i), runStart, -1));
            }
            out.add(new Segment(null, i, hit.id()));
            i += hit.content().length();
            runStart = i;
        }
        if (runStart < text.length()) {
            out.add(new Segment(text.substring(runStart), runStart, -1));
        }
        return out;
    }

    private Entry match(String text, int at) {
        List<Entry> candidates = byFirstChar.get(text.charAt(at));
        if (candidates != null) {
            for (Entry e : candidates) {
                if (text.startsWith(e.content(), at)) {
                    return e;
                }
            }
        }
        return null;
    }
}
