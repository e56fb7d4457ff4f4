package io.strata.tables.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.ConditionFailedException;
import io.strata.tables.DuplicateKeyException;
import io.strata.tables.NotFoundException;
import io.strata.tables.TableDefinition;
import io.strata.tables.json.ItemRules;
import io.strata.tables.json.JsonOrder;
import io.strata.tables.query.Filter;
import io.strata.tables.query.FilterMatcher;
import io.strata.tables.query.Update;
import io.strata.tables.query.UpdateApplier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One table of the embedded store: its items in memory, its journal on disk. Writes hold the table's lock from the
 * check to the forced append, so conditional writes are atomic; the in-memory item changes only after the journal
 * has the record, so a failed write changes nothing. Reads need no lock: stored nodes are never mutated, only replaced.
 *
 * <p>Journal records are JSON: {@code {"put": item}} or {@code {"delete": key}}.
 */
final class EmbeddedTable implements AutoCloseable {

    /** Compaction starts when the journal is this large and at least twice the size of the live records. */
    static final long COMPACT_MIN_BYTES = 1024 * 1024;

    // Big decimals keep every stored digit on replay; a double would round 38-digit decimals.
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private record Stored(ObjectNode item, long recordBytes) {
    }

    private final TableDefinition definition;
    private final Map<String, Stored> items = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Journal journal;
    private final long compactMinBytes;
    private long liveBytes;

    EmbeddedTable(TableDefinition definition, Path file, long compactMinBytes) {
        this.definition = definition;
        this.compactMinBytes = compactMinBytes;
        this.journal = Journal.open(file, this::replay);
    }

    TableDefinition definition() {
        return definition;
    }

    private void replay(byte[] payload) {
        JsonNode record;
        try {
            record = JSON.readTree(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (record.get("put") instanceof ObjectNode item && item.path(definition.partitionKey()).isTextual()) {
            remember(item.get(definition.partitionKey()).textValue(), item, payload.length);
        } else if (record.path("delete").isTextual()) {
            forget(record.get("delete").textValue());
        } else {
            throw new IllegalArgumentException("neither {\"put\": item with " + definition.partitionKey() + "} nor {\"delete\": key}");
        }
    }

    void create(ObjectNode item) {
        ObjectNode checked = ItemRules.checkedItem(definition, item);
        String key = checked.get(definition.partitionKey()).textValue();
        lock.lock();
        try {
            if (items.containsKey(key)) {
                throw new DuplicateKeyException(definition.name() + ": an item with " + definition.partitionKey() + " \"" + key + "\" already exists");
            }
            put(key, checked);
        } finally {
            lock.unlock();
        }
    }

    Optional<ObjectNode> get(String key) {
        Stored stored = items.get(ItemRules.checkedKey(definition, key));
        return stored == null ? Optional.empty() : Optional.of(stored.item().deepCopy());
    }

    /** Applies the update if the item matches {@code condition} (null: always), under the table's lock. */
    ObjectNode update(String key, Filter condition, Update update) {
        ItemRules.checkedKey(definition, key);
        lock.lock();
        try {
            Stored stored = items.get(key);
            if (stored == null) {
                throw notFound(key);
            }
            if (condition != null && !FilterMatcher.matches(condition, stored.item())) {
                throw new ConditionFailedException(definition.name() + ": item \"" + key + "\" does not meet the update's condition",
                        stored.item());
            }
            ObjectNode after = ItemRules.checkedItem(definition, UpdateApplier.apply(update, stored.item()));
            if (!JsonOrder.equal(stored.item(), after)) {
                put(key, after);
            }
            return after.deepCopy();
        } finally {
            lock.unlock();
        }
    }

    void delete(String key) {
        ItemRules.checkedKey(definition, key);
        lock.lock();
        try {
            if (!items.containsKey(key)) {
                throw notFound(key);
            }
            ObjectNode record = JSON.createObjectNode().put("delete", key);
            journal.append(bytes(record));
            forget(key);
            compactIfLarge();
        } finally {
            lock.unlock();
        }
    }

    List<ObjectNode> query(Filter filter) {
        List<ObjectNode> result = new ArrayList<>();
        for (Stored stored : items.values()) {
            if (FilterMatcher.matches(filter, stored.item())) {
                result.add(stored.item().deepCopy());
            }
        }
        return result;
    }

    private void put(String key, ObjectNode item) {
        ObjectNode record = JSON.createObjectNode();
        record.set("put", item);
        byte[] payload = bytes(record);
        journal.append(payload);
        remember(key, item, payload.length);
        compactIfLarge();
    }

    private void remember(String key, ObjectNode item, long recordBytes) {
        Stored previous = items.put(key, new Stored(item, recordBytes));
        liveBytes += recordBytes - (previous == null ? 0 : previous.recordBytes());
    }

    private void forget(String key) {
        Stored previous = items.remove(key);
        if (previous != null) {
            liveBytes -= previous.recordBytes();
        }
    }

    private void compactIfLarge() {
        long size = journal.size();
        if (size < compactMinBytes || size < 2 * liveBytes) {
            return;
        }
        List<byte[]> payloads = new ArrayList<>(items.size());
        for (Stored stored : items.values()) {
            ObjectNode record = JSON.createObjectNode();
            record.set("put", stored.item());
            payloads.add(bytes(record));
        }
        try {
            journal.rewrite(payloads);
        } catch (UncheckedIOException e) {
            // The write that triggered compaction is already durable; a later write will try again.
            System.getLogger(EmbeddedTable.class.getName()).log(System.Logger.Level.WARNING, e.getMessage());
        }
    }

    private static byte[] bytes(JsonNode record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be serialized", e);
        }
    }

    private NotFoundException notFound(String key) {
        return new NotFoundException(definition.name() + ": no item with " + definition.partitionKey() + " \"" + key + "\"");
    }

    @Override
    public void close() {
        journal.close();
    }
}
