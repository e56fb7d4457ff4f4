package io.strata.tables.dynamo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.Store;
import io.strata.tables.TableDefinition;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.List;
import java.util.Optional;

/** The {@link Store} over DynamoDB. Body arrives with the next commit; the signatures are final. */
public final class DynamoDbStore implements Store {

    private final DynamoDbClient client;
    private final String tablePrefix;

    /** @param client owned by the caller (not closed by {@link #close()}); @param tablePrefix e.g. "strata-" */
    public DynamoDbStore(DynamoDbClient client, String tablePrefix) {
        this.client = client;
        this.tablePrefix = tablePrefix;
    }

    @Override public void createTables() { throw new UnsupportedOperationException("not yet"); }
    @Override public void create(TableDefinition table, ObjectNode item) { throw new UnsupportedOperationException("not yet"); }
    @Override public Optional<ObjectNode> get(TableDefinition table, String key) { throw new UnsupportedOperationException("not yet"); }
    @Override public ObjectNode update(TableDefinition table, String key, ObjectNode mongoUpdate) { throw new UnsupportedOperationException("not yet"); }
    @Override public void delete(TableDefinition table, String key) { throw new UnsupportedOperationException("not yet"); }
    @Override public List<ObjectNode> query(TableDefinition table, ObjectNode mongoFilter) { throw new UnsupportedOperationException("not yet"); }
    @Override public void close() { }
}
