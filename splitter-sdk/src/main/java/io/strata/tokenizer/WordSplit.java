package io.strata.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face {@code Split} pre-tokenizer step for SentencePiece-style BPE: cuts already
 * normalised text at each match of a delimiter, keeping the delimiter where the behaviour says.
 * Merges never cross a cut, so where the delimiter goes decides which pieces can form.
 *
 * @param delimiter what to cut at (a quoted string or a regex)
 * @param behavior  what happens to each delimiter
 */
record WordSplit(Pattern delimiter, Behavior behavior) {
    /** Hugging Face's {@code SplitDelimiterBehavior} values that Strata applies. */
    enum Behavior {
        /** Delimiters are dropped. */
        REMOVED,
        /** Each delimiter is a word of its own. */
        ISOLATED,
        /** Each delimiter ends the word before it. */
        MERGED_WITH_PREVIOUS,
        /** Each delimiter starts the word after it (Metaspace's split before every {@code ▁}). */
        MERGED_WITH_NEXT;

        /** From tokenizer.json's spelling; null when unknown (Contiguous included). */
        static Behavior of(String name) {
            return switch (name) {
                case "Removed" -> REMOVED;
                case "Isolated" -> ISOLATED;
                case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
                case "MergedWithNext" -> MERGED_WITH_NEXT;
                default -> null;
            };
        }
    }

    /** The words of {@code text}, in order; no word is empty. */
    List<String> apply(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = delimiter.matcher(text);
        int from = 0;
        int pending = 0; // start of a delimiter that joins the next word
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            switch (behavior) {
                case REMOVED -> {
                    add(words, text, from, m.start());
                    from = m.end();
                }
                case ISOLATED -> {
                    add(words, text, from, m.start());
                    add(words, text, m.start(), m.end());
                    from = m.end();
                }
                case MERGED_WITH_PREVIOUS -> {
                    add(words, text, from, m.end());
                    from = m.end();
                }
                case MERGED_WITH_NEXT -> {
                    add(words, text, pending, m.start());
                    pending = m.start();
                    from = m.start();
                }
            }
        }
        add(words, text, behavior == Behavior.MERGED_WITH_NEXT ? pending : from, text.length());
        return words;
    }

    private static void add(List<String> words, String text, int from, int to) {
        if (to > from) {
            words.add(text.substring(from, to));
        }
    }
}
