package io.strata.tables.embedded;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.Store;
import io.strata.tables.TableDefinition;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The {@link Store} in a local directory. Body arrives with the next commit; the signatures are final. */
public final class EmbeddedStore implements Store {

    private EmbeddedStore() {
    }

    /** Opens (creating if needed) the store in {@code directory}, with table files named {@code tablePrefix + name}. */
    public static EmbeddedStore open(Path directory, String tablePrefix) { throw new UnsupportedOperationException("not yet"); }

    @Override public void createTables() { throw new UnsupportedOperationException("not yet"); }
    @Override public void create(TableDefinition table, ObjectNode item) { throw new UnsupportedOperationException("not yet"); }
    @Override public Optional<ObjectNode> get(TableDefinition table, String key) { throw new UnsupportedOperationException("not yet"); }
    @Override public ObjectNode update(TableDefinition table, String key, ObjectNode mongoUpdate) { throw new UnsupportedOperationException("not yet"); }
    @Override public void delete(TableDefinition table, String key) { throw new UnsupportedOperationException("not yet"); }
    @Override public List<ObjectNode> query(TableDefinition table, ObjectNode mongoFilter) { throw new UnsupportedOperationException("not yet"); }
    @Override public void close() { }
}
