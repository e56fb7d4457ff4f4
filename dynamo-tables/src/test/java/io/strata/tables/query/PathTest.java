package io.strata.tables.query;

import io.strata.tables.InvalidQueryException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PathTest {

    @Test
    void dottedPathsSplitIntoSegments() {
        assertEquals(List.of("split_runner_metadata", "framework"), Path.parse("split_runner_metadata.framework", "filter").segments());
        assertEquals(List.of("a-b", "0", "C_9"), Path.parse("a-b.0.C_9", "filter").segments());
    }

    @Test
    void anythingButLettersDigitsUnderscoreAndHyphenIsRefusedNamingThePath() {
        for (String bad : List.of("a..b", ".a", "a.", "$x", "a[0]", "a b", "a) OR (b", "#x", ":v0", "x = :v0", "ä", "a/b", "a\nb", "")) {
            InvalidQueryException e = assertThrows(InvalidQueryException.class, () -> Path.parse(bad, "update $set"), bad);
            assertTrue(e.getMessage().startsWith("update $set: "), e.getMessage());
            if (!bad.isEmpty()) {
                assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
            }
        }
    }

    @Test
    void overlongPathsAreRefused() {
        assertThrows(InvalidQueryException.class, () -> Path.parse("a".repeat(256), "filter"));
        assertThrows(InvalidQueryException.class, () -> Path.parse("a.".repeat(32) + "a", "filter"));
        assertEquals(32, Path.parse("a.".repeat(31) + "a", "filter").length());
    }

    @Test
    void aPathContainsItselfAndItsDescendantsOnly() {
        Path a = Path.parse("a", "t");
        assertTrue(a.contains(Path.parse("a.b", "t")));
        assertTrue(a.contains(a));
        assertFalse(a.contains(Path.parse("ab", "t")));
        assertFalse(Path.parse("a.b", "t").contains(a));
    }
}
