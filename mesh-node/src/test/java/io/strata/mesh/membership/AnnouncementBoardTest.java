package io.strata.mesh.membership;

import io.strata.mesh.NodeAnnouncement;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnnouncementBoardTest {
    private final AtomicLong nanos = new AtomicLong();
    private final AnnouncementBoard board = new AnnouncementBoard(Duration.ofSeconds(6), nanos::get);

    private static NodeStatus status(String node, long sequence, Set<String> ready) {
        return new NodeStatus(new NodeAnnouncement(node, "10.0.0.1", 7000, 8080, "cpu", 1 << 30, 1e9, ready, sequence),
                Map.of(), Map.of());
    }

    @Test
    void aNewerSequenceReplacesAnOlderOneAndAnOlderOneIsIgnored() {
        assertTrue(board.offer(status("a", 5, Set.of())));
        assertTrue(board.offer(status("a", 6, Set.of("b0"))));
        assertFalse(board.offer(status("a", 4, Set.of("stale"))), "late, older announcement");
        assertEquals(Set.of("b0"), board.get("a").orElseThrow().announcement().readyBlocks());
    }

    @Test
    void aRepeatedHeartbeatIsNotNews() {
        board.offer(status("a", 1, Set.of("b0")));
        assertFalse(board.offer(status("a", 2, Set.of("b0"))));
        assertTrue(board.offer(status("a", 3, Set.of())), "a block went away");
    }

    @Test
    void aSilentNodeGoesStaleAndComesBackWhenItSpeaks() {
        board.offer(status("a", 1, Set.of()));
        board.offer(status("b", 1, Set.of()));
        nanos.addAndGet(Duration.ofSeconds(4).toNanos());
        board.offer(status("b", 2, Set.of()));
        nanos.addAndGet(Duration.ofSeconds(3).toNanos());
        assertEquals(List.of("b"), board.live().stream().map(NodeStatus::nodeId).toList());
        assertEquals(Set.of("a"), board.stale());
        assertTrue(board.offer(status("a", 2, Set.of())), "back from silence is news");
        assertEquals(2, board.live().size());
    }

    @Test
    void nodesThatLeftTheViewAreForgotten() {
        board.offer(status("a", 1, Set.of()));
        board.offer(status("b", 1, Set.of()));
        assertTrue(board.retainOnly(List.of("b")));
        assertTrue(board.get("a").isEmpty());
        assertEquals(1, board.live().size());
    }
}
