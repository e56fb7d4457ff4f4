package io.strata.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Cuts text into the words byte-level BPE merges within, by the regex the vocabulary was
 * trained with. Text between matches is kept as words of its own (Hugging Face's "Isolated"
 * split), so no character is ever dropped. {@code \s} is Unicode white space, as in the
 * Rust and Python engines these patterns come from.
 */
final class PreTokenizer {
    private final Pattern pattern;

    PreTokenizer(String regex) {
        try {
            pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("pre-tokenizer regex does not compile in Java: " + e.getDescription()
                    + " in " + regex, e);
        }
    }

    Pattern pattern() {
        return pattern;
    }

    String regex() {
        return pattern.pattern();
    }

    List<String> split(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                words.add(text.substring(last, m.start()));
            }
            if (m.end() > m.start()) {
                words.add(text.substring(m.start(), m.end()));
            }
            last = m.end();
        }
        if (last < text.length()) {
            words.add(text.substring(last));
        }
        return words;
    }
}
