package io.strata.mesh.gateway;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopMatcherTest {
    @Test
    void textThatMightStartAStopStringWaitsUntilItClearlyDoesNot() {
        StopMatcher m = new StopMatcher(List.of("\nUser:"));
        assertEquals("Hello", m.push("Hello\nUs"));
        assertEquals("\nUsually", m.push("ually"));
        assertFalse(m.stopped());
        assertEquals("", m.flush());
    }

    @Test
    void aStopStringSplitOverPiecesEndsTheTextBeforeIt() {
        StopMatcher m = new StopMatcher(List.of("END", "\nUser:"));
        assertEquals("Once", m.push("Once"));
        assertEquals(" upon", m.push(" upon\n"));
        assertEquals("", m.push("Use"));
        assertEquals("", m.push("r: hi"));
        assertTrue(m.stopped());
        assertEquals("", m.push("more"));
        assertEquals("", m.flush());
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        StopMatcher m = new StopMatcher(List.of("c", "ab"));
        assertEquals("x", m.push("xabc"));
        assertTrue(m.stopped());
    }

    @Test
    void withoutStopStringsEverythingPassesAtOnce() {
        StopMatcher m = new StopMatcher(List.of());
        assertEquals("anything\n", m.push("anything\n"));
        assertEquals("", m.flush());
    }

    @Test
    void theHeldTailComesOutAtTheEnd() {
        StopMatcher m = new StopMatcher(List.of("STOP"));
        assertEquals("it ", m.push("it ST"));
        assertEquals("ST", m.flush());
    }

    @Test
    void theChatTemplateNamesEachRoleAndLeavesTheAssistantToSpeak() {
        String prompt = ChatTemplate.render(List.of(new ChatTemplate.Message("system", "Be brief. "),
                new ChatTemplate.Message("user", "Hi")));
        assertEquals("System: Be brief.\n\nUser: Hi\n\nAssistant:", prompt);
    }
}
