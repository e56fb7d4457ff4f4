package io.strata.tables.embedded;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.Store;
import io.strata.tables.TableDefinition;
import io.strata.tables.Tables;
import io.strata.tables.dynamo.FilterExpressions;
import io.strata.tables.query.Filter;
import io.strata.tables.query.FilterParser;
import io.strata.tables.query.UpdateParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link Store} in a local directory: no server, durable across restarts. Each table is a journal file
 * {@code <prefix><table>.journal} (see {@link Journal}): every write is forced to disk before it returns, the file is
 * replayed on open (a torn last record is dropped; damage elsewhere is refused) and compacted when it grows to twice
 * its live data. One process at a time: a lock file in the directory keeps a second one out.
 */
public final class EmbeddedStore implements Store {

    private final Path directory;
    private final String tablePrefix;
    private final long compactMinBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Map<String, EmbeddedTable> tables = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private EmbeddedStore(Path directory, String tablePrefix, long compactMinBytes, FileChannel lockChannel, FileLock lock) {
        this.directory = directory;
        this.tablePrefix = tablePrefix;
        this.compactMinBytes = compactMinBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Opens (creating if needed) the store in {@code directory}, with table files named {@code tablePrefix + name}. */
    public static EmbeddedStore open(Path directory, String tablePrefix) {
        return open(directory, tablePrefix, EmbeddedTable.COMPACT_MIN_BYTES);
    }

    /** As {@link #open(Path, String)}, compacting journals from {@code compactMinBytes} on (tests use a small value). */
    public static EmbeddedStore open(Path directory, String tablePrefix, long compactMinBytes) {
        try {
            Files.createDirectories(directory);
            Path lockFile = directory.resolve(".lock");
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException(directory + ": the store is open in another process (or elsewhere in this one);"
                        + " close it first — two writers would interleave their journals");
            }
            return new EmbeddedStore(directory, tablePrefix == null ? "" : tablePrefix, compactMinBytes, channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException(directory + ": cannot open the store: " + e.getMessage(), e);
        }
    }

    @Override
    public void createTables() {
        Tables.all().forEach(this::table);
    }

    @Override
    public void create(TableDefinition table, ObjectNode item) {
        table(table).create(item);
    }

    @Override
    public Optional<ObjectNode> get(TableDefinition table, String key) {
        return table(table).get(key);
    }

    @Override
    public ObjectNode update(TableDefinition table, String key, ObjectNode mongoUpdate) {
        return table(table).update(key, null, UpdateParser.parse(table, mongoUpdate));
    }

    @Override
    public ObjectNode updateIf(TableDefinition table, String key, ObjectNode mongoCondition, ObjectNode mongoUpdate) {
        Filter condition = FilterParser.parse(mongoCondition);
        return table(table).update(key, condition, UpdateParser.parse(table, mongoUpdate));
    }

    @Override
    public void delete(TableDefinition table, String key) {
        table(table).delete(key);
    }

    @Override
    public List<ObjectNode> query(TableDefinition table, ObjectNode mongoFilter) {
        Filter filter = FilterParser.parse(mongoFilter);
        // Refuse what the DynamoDB store would refuse, so code tested locally does not fail in the cloud.
        FilterExpressions.requireFits(filter);
        return table(table).query(filter);
    }

    private EmbeddedTable table(TableDefinition definition) {
        if (closed) {
            throw new IllegalStateException(directory + ": the store is closed");
        }
        String name = definition.physicalName(tablePrefix);
        EmbeddedTable table = tables.computeIfAbsent(name,
                n -> new EmbeddedTable(definition, directory.resolve(n + ".journal"), compactMinBytes));
        if (!table.definition().partitionKey().equals(definition.partitionKey())) {
            throw new IllegalArgumentException("table " + name + " is open with key " + table.definition().partitionKey()
                    + ", not " + definition.partitionKey());
        }
        return table;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        tables.values().forEach(EmbeddedTable::close);
        tables.clear();
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(directory + ": closing the lock file failed: " + e.getMessage(), e);
        }
    }
}
