package io.strata.tables.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.Tables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the embedded store keeps across restarts, crashes mid-write and damaged files. */
class EmbeddedStoreDurabilityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private Path journal() {
        return directory.resolve("strata-tasks.journal");
    }

    private static ObjectNode task(String id, int n) {
        return JSON.createObjectNode().put("task_id", id).put("n", n).put("status", "pending");
    }

    private void writeThreeTasks() {
        try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
            store.create(Tables.TASKS, task("t1", 1));
            store.create(Tables.TASKS, task("t2", 2));
            store.update(Tables.TASKS, "t1", JSON.createObjectNode().set("$set", JSON.createObjectNode().put("status", "complete")));
            store.create(Tables.TASKS, task("t3", 3));
            store.delete(Tables.TASKS, "t2");
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesARestart() {
        writeThreeTasks();
        try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
            assertEquals("complete", store.get(Tables.TASKS, "t1").orElseThrow().get("status").textValue());
            assertEquals(Optional.empty(), store.get(Tables.TASKS, "t2"));
            assertEquals(3, store.get(Tables.TASKS, "t3").orElseThrow().get("n").intValue());
            assertEquals(2, store.query(Tables.TASKS, JSON.createObjectNode()).size());
        }
    }

    @Test
    void aTornLastRecordIsDroppedAndLaterWritesFollowGoodData() throws IOException {
        writeThreeTasks();
        long intact = Files.size(journal());
        try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
            store.create(Tables.TASKS, task("t4", 4));
        }
        // A crash half-way through the last append: only part of its bytes reached the disk.
        long full = Files.size(journal());
        truncate(journal(), intact + (full - intact) / 2);
        try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
            assertEquals(Optional.empty(), store.get(Tables.TASKS, "t4"));
            assertTrue(store.get(Tables.TASKS, "t3").isPresent());
            assertEquals(intact, Files.size(journal()), "the torn bytes are cut off");
            store.create(Tables.TASKS, task("t5", 5));
        }
        try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
            assertTrue(store.get(Tables.TASKS, "t5").isPresent());
            assertEquals(3, store.query(Tables.TASKS, JSON.createObjectNode()).size());
        }
    }

    @Test
    void aLastRecordWithABadChecksumOrAZeroFilledTailIsDropped() throws IOException {
        writeThreeTasks();
        long intact = Files.size(journal());
        try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
            store.create(Tables.TASKS, task("t4", 4));
        }
        flipByte(journal(), Files.size(journal()) - 3);
        try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
            assertEquals(Optional.empty(), store.get(Tables.TASKS, "t4"));
            assertTrue(store.get(Tables.TASKS, "t1").isPresent());
        }
        assertEquals(intact, Files.size(journal()));
        // Some file systems extend the file before the data lands: a crash leaves zeros.
        try (RandomAccessFile file = new RandomAccessFile(journal().toFile(), "rw")) {
            file.setLength(intact + 4096);
        }
        try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
            assertEquals(2, store.query(Tables.TASKS, JSON.createObjectNode()).size());
        }
        assertEquals(intact, Files.size(journal()));
    }

    @Test
    void damageBeforeTheLastRecordIsRefusedNamingTheFileAndOffset() throws IOException {
        writeThreeTasks();
        byte[] before = Files.readAllBytes(journal());
        flipByte(journal(), 8 + 12 + 5);
        JournalCorruptedException e = assertThrows(JournalCorruptedException.class, () -> {
            try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
                store.get(Tables.TASKS, "t1");
            }
        });
        assertTrue(e.getMessage().contains("strata-tasks.journal"), e.getMessage());
        assertTrue(e.getMessage().contains("offset 8"), e.getMessage());
        before[8 + 12 + 5] ^= 0x40;
        assertTrue(Arrays.equals(before, Files.readAllBytes(journal())), "a refused journal is left as it was");

        flipByte(journal(), 8 + 12 + 5);
        flipByte(journal(), 8 + 1);
        e = assertThrows(JournalCorruptedException.class, () -> {
            try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
                store.get(Tables.TASKS, "t1");
            }
        });
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void aFileThatIsNotAJournalIsRefused() throws IOException {
        Files.writeString(journal(), "{\"task_id\": \"not a journal\"}");
        JournalCorruptedException e = assertThrows(JournalCorruptedException.class, () -> {
            try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
                store.get(Tables.TASKS, "x");
            }
        });
        assertTrue(e.getMessage().contains("not a Strata journal"), e.getMessage());
    }

    @Test
    void compactionShrinksTheJournalAndKeepsEveryLiveItem() throws IOException {
        try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-", 16 * 1024)) {
            store.create(Tables.TASKS, task("kept", 0));
            for (int i = 0; i < 400; i++) {
                store.update(Tables.TASKS, "kept", JSON.createObjectNode().set("$inc", JSON.createObjectNode().put("n", 1)));
                store.create(Tables.TASKS, task("gone" + i, i));
                store.delete(Tables.TASKS, "gone" + i);
            }
            assertTrue(Files.size(journal()) < 32 * 1024, "compacted to " + Files.size(journal()) + " bytes");
            assertEquals(400, store.get(Tables.TASKS, "kept").orElseThrow().get("n").intValue());
        }
        assertFalse(Files.exists(directory.resolve("strata-tasks.journal.compacting")));
        try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
            assertEquals(400, store.get(Tables.TASKS, "kept").orElseThrow().get("n").intValue());
            assertEquals(1, store.query(Tables.TASKS, JSON.createObjectNode()).size());
        }
    }

    @Test
    void anInterruptedCompactionLeavesTheJournalAsItWas() throws IOException {
        writeThreeTasks();
        Files.writeString(directory.resolve("strata-tasks.journal.compacting"), "half-written snapshot");
        try (EmbeddedStore store = EmbeddedStore.open(directory, "strata-")) {
            assertEquals(2, store.query(Tables.TASKS, JSON.createObjectNode()).size());
        }
        assertFalse(Files.exists(directory.resolve("strata-tasks.journal.compacting")));
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefusedUntilTheFirstCloses() {
        EmbeddedStore first = EmbeddedStore.open(directory, "strata-");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedStore.open(directory, "strata-"));
            assertTrue(e.getMessage().contains("open"), e.getMessage());
        } finally {
            first.close();
        }
        EmbeddedStore.open(directory, "strata-").close();
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x40);
        }
    }
}
