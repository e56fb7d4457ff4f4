package io.strata.tables.dynamo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.ConditionFailedException;
import io.strata.tables.ContentionException;
import io.strata.tables.DuplicateKeyException;
import io.strata.tables.InvalidQueryException;
import io.strata.tables.NotFoundException;
import io.strata.tables.SecondaryIndex;
import io.strata.tables.Store;
import io.strata.tables.TableDefinition;
import io.strata.tables.Tables;
import io.strata.tables.json.ItemRules;
import io.strata.tables.json.JsonOrder;
import io.strata.tables.query.Filter;
import io.strata.tables.query.FilterMatcher;
import io.strata.tables.query.FilterParser;
import io.strata.tables.query.Update;
import io.strata.tables.query.UpdateApplier;
import io.strata.tables.query.UpdateParser;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The {@link Store} over DynamoDB. Creates and deletes are conditional single requests. An update reads the item
 * (strongly consistent), applies the Mongo update in Java with {@link UpdateApplier} — one meaning for both stores,
 * including parents that must be created and {@code $addToSet}/{@code $pull} on lists, which DynamoDB's own actions
 * cannot express — and writes the changed top-level attributes with an UpdateExpression conditioned on a hidden
 * version attribute; a concurrent writer makes the condition fail and the update is retried on the fresh item, so
 * nothing is lost. Queries use the key or an index when the filter pins them, else a Scan, always paginated to the end.
 */
public final class DynamoDbStore implements Store {

    private static final int MAX_UPDATE_ATTEMPTS = 64;
    private static final long TABLE_WAIT_MILLIS = 5 * 60 * 1000;

    private final DynamoDbClient client;
    private final String tablePrefix;

    /**
     * @param client      owned by the caller (not closed by {@link #close()})
     * @param tablePrefix prepended to every table name, e.g. {@link Tables#DEFAULT_PREFIX}
     */
    public DynamoDbStore(DynamoDbClient client, String tablePrefix) {
        if (client == null) {
            throw new IllegalArgumentException("DynamoDbStore needs a DynamoDbClient");
        }
        this.client = client;
        this.tablePrefix = tablePrefix == null ? "" : tablePrefix;
    }

    public String tableName(TableDefinition table) {
        return table.physicalName(tablePrefix);
    }

    @Override
    public void createTables() {
        for (TableDefinition table : Tables.all()) {
            createTable(table);
        }
        for (TableDefinition table : Tables.all()) {
            awaitActive(table);
        }
    }

    private void createTable(TableDefinition table) {
        String name = tableName(table);
        try {
            client.describeTable(r -> r.tableName(name));
            return;
        } catch (ResourceNotFoundException absent) {
            // created below
        }
        Set<String> keyAttributes = table.keyAttributes();
        List<AttributeDefinition> definitions = keyAttributes.stream()
                .map(a -> AttributeDefinition.builder().attributeName(a).attributeType(ScalarAttributeType.S).build())
                .toList();
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        for (SecondaryIndex index : table.indexes()) {
            List<KeySchemaElement> schema = new ArrayList<>();
            schema.add(KeySchemaElement.builder().attributeName(index.partitionKey()).keyType(KeyType.HASH).build());
            index.sortKey().ifPresent(s -> schema.add(KeySchemaElement.builder().attributeName(s).keyType(KeyType.RANGE).build()));
            indexes.add(GlobalSecondaryIndex.builder().indexName(index.name()).keySchema(schema)
                    .projection(Projection.builder().projectionType(ProjectionType.ALL).build()).build());
        }
        try {
            client.createTable(r -> {
                r.tableName(name)
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(definitions)
                        .keySchema(KeySchemaElement.builder().attributeName(table.partitionKey()).keyType(KeyType.HASH).build());
                if (!indexes.isEmpty()) {
                    r.globalSecondaryIndexes(indexes);
                }
            });
        } catch (ResourceInUseException createdMeanwhile) {
            // Another process created it between our describe and create: the same outcome.
        }
    }

    private void awaitActive(TableDefinition table) {
        String name = tableName(table);
        long deadline = System.currentTimeMillis() + TABLE_WAIT_MILLIS;
        while (true) {
            TableDescription description = client.describeTable(r -> r.tableName(name)).table();
            Set<String> present = new LinkedHashSet<>();
            boolean indexesActive = true;
            for (GlobalSecondaryIndexDescription index : description.globalSecondaryIndexes()) {
                present.add(index.indexName());
                indexesActive &= index.indexStatus() == IndexStatus.ACTIVE;
            }
            for (SecondaryIndex index : table.indexes()) {
                if (!present.contains(index.name())) {
                    throw new IllegalStateException("DynamoDB table " + name + " exists without index " + index.name()
                            + " on " + index.keyAttributes() + " — apply infra-terraform/dynamodb.tf.json, or delete the table and call createTables()");
                }
            }
            if (description.tableStatus() == TableStatus.ACTIVE && indexesActive) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("DynamoDB table " + name + " is still " + description.tableStatus()
                        + " after " + TABLE_WAIT_MILLIS / 1000 + " s");
            }
            pause(100);
        }
    }

    @Override
    public void create(TableDefinition table, ObjectNode item) {
        ObjectNode checked = ItemRules.checkedItem(table, item);
        Map<String, AttributeValue> attributes = new LinkedHashMap<>(AttributeValues.map(checked));
        attributes.put(ItemRules.VERSION_ATTRIBUTE, AttributeValue.fromN("1"));
        String key = checked.get(table.partitionKey()).textValue();
        try {
            call(table, () -> client.putItem(r -> r.tableName(tableName(table)).item(attributes)
                    .conditionExpression("attribute_not_exists(#k)")
                    .expressionAttributeNames(Map.of("#k", table.partitionKey()))));
        } catch (ConditionalCheckFailedException exists) {
            throw new DuplicateKeyException(table.name() + ": an item with " + table.partitionKey() + " \"" + key + "\" already exists");
        }
    }

    @Override
    public Optional<ObjectNode> get(TableDefinition table, String key) {
        return read(table, ItemRules.checkedKey(table, key)).map(DynamoDbStore::visible);
    }

    private Optional<Map<String, AttributeValue>> read(TableDefinition table, String key) {
        var response = call(table, () -> client.getItem(r -> r.tableName(tableName(table)).consistentRead(true)
                .key(Map.of(table.partitionKey(), AttributeValue.fromS(key)))));
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(response.item()) : Optional.empty();
    }

    @Override
    public ObjectNode update(TableDefinition table, String key, ObjectNode mongoUpdate) {
        return update(table, key, null, UpdateParser.parse(table, mongoUpdate));
    }

    @Override
    public ObjectNode updateIf(TableDefinition table, String key, ObjectNode mongoCondition, ObjectNode mongoUpdate) {
        Filter condition = FilterParser.parse(mongoCondition);
        return update(table, key, condition, UpdateParser.parse(table, mongoUpdate));
    }

    /**
     * The condition is checked on the strongly consistent read; the versioned write then makes check and write one
     * atomic step, as a concurrent change fails the write and the loop checks again on the fresh item.
     */
    private ObjectNode update(TableDefinition table, String key, Filter condition, Update update) {
        ItemRules.checkedKey(table, key);
        for (int attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
            Map<String, AttributeValue> stored = read(table, key).orElseThrow(() -> notFound(table, key));
            ObjectNode before = visible(stored);
            if (condition != null && !FilterMatcher.matches(condition, before)) {
                throw new ConditionFailedException(table.name() + ": item \"" + key + "\" does not meet the update's condition",
                        before);
            }
            ObjectNode after = ItemRules.checkedItem(table, UpdateApplier.apply(update, before));
            if (JsonOrder.equal(before, after)) {
                return after;
            }
            try {
                write(table, key, stored.get(ItemRules.VERSION_ATTRIBUTE), before, after);
                return after;
            } catch (ConditionalCheckFailedException raced) {
                // Another writer changed or deleted the item since our read: start again from its new state.
                pause(ThreadLocalRandom.current().nextLong(1, 2L << Math.min(attempt, 5)));
            }
        }
        throw new ContentionException(table.name() + ": item \"" + key + "\" changed under " + MAX_UPDATE_ATTEMPTS
                + " consecutive update attempts; nothing was written, try again");
    }

    /** Sets the top-level attributes that changed, removes the ones that went, and bumps the version — if unchanged since read. */
    private void write(TableDefinition table, String key, AttributeValue version, ObjectNode before, ObjectNode after) {
        Placeholders p = new Placeholders();
        List<String> sets = new ArrayList<>();
        List<String> removes = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : after.properties()) {
            if (!JsonOrder.equal(field.getValue(), before.get(field.getKey()))) {
                sets.add(p.name(field.getKey()) + " = " + p.value(AttributeValues.of(field.getValue())));
            }
        }
        for (Map.Entry<String, JsonNode> field : before.properties()) {
            if (!after.has(field.getKey())) {
                removes.add(p.name(field.getKey()));
            }
        }
        String versionName = p.name(ItemRules.VERSION_ATTRIBUTE);
        long next = version == null ? 1 : Long.parseLong(version.n()) + 1;
        sets.add(versionName + " = " + p.value(AttributeValue.fromN(Long.toString(next))));
        String condition = version == null
                ? "attribute_exists(" + p.name(table.partitionKey()) + ") AND attribute_not_exists(" + versionName + ")"
                : versionName + " = " + p.value(version);
        String expression = "SET " + String.join(", ", sets) + (removes.isEmpty() ? "" : " REMOVE " + String.join(", ", removes));
        call(table, () -> client.updateItem(r -> r.tableName(tableName(table))
                .key(Map.of(table.partitionKey(), AttributeValue.fromS(key)))
                .updateExpression(expression)
                .conditionExpression(condition)
                .expressionAttributeNames(p.names())
                .expressionAttributeValues(p.values())));
    }

    @Override
    public void delete(TableDefinition table, String key) {
        ItemRules.checkedKey(table, key);
        try {
            call(table, () -> client.deleteItem(r -> r.tableName(tableName(table))
                    .key(Map.of(table.partitionKey(), AttributeValue.fromS(key)))
                    .conditionExpression("attribute_exists(#k)")
                    .expressionAttributeNames(Map.of("#k", table.partitionKey()))));
        } catch (ConditionalCheckFailedException absent) {
            throw notFound(table, key);
        }
    }

    @Override
    public List<ObjectNode> query(TableDefinition table, ObjectNode mongoFilter) {
        Filter filter = FilterParser.parse(mongoFilter);
        FilterExpressions.requireFits(filter);
        QueryPlan plan = QueryPlan.of(table, filter);
        Placeholders p = new Placeholders();
        FilterExpressions.Translation residual = QueryPlan.reads(plan.residual(), plan.keyAttributes())
                ? FilterExpressions.Translation.ALL_INEXACT
                : new FilterExpressions(p).translate(plan.residual());
        if (residual.kind() == FilterExpressions.Translation.Kind.NONE) {
            return List.of();
        }
        String filterExpression = residual.kind() == FilterExpressions.Translation.Kind.SOME ? residual.expression() : null;
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        if (plan.isScan()) {
            Placeholders used = p.usedBy(filterExpression);
            ScanRequest.Builder request = ScanRequest.builder().tableName(tableName(table)).consistentRead(true)
                    .filterExpression(filterExpression)
                    .expressionAttributeNames(used.names()).expressionAttributeValues(used.values());
            call(table, () -> {
                client.scanPaginator(request.build()).items().forEach(items::add);
                return null;
            });
        } else {
            List<String> keyConditions = new ArrayList<>();
            for (Filter.Equals eq : plan.keyConditions()) {
                keyConditions.add(p.path(eq.path()) + " = " + p.value(AttributeValues.of(eq.value())));
            }
            String keyCondition = String.join(" AND ", keyConditions);
            Placeholders used = p.usedBy(keyCondition, filterExpression);
            QueryRequest.Builder request = QueryRequest.builder().tableName(tableName(table))
                    .keyConditionExpression(keyCondition)
                    .filterExpression(filterExpression)
                    .expressionAttributeNames(used.names()).expressionAttributeValues(used.values());
            if (plan.index() == null) {
                request.consistentRead(true);
            } else {
                request.indexName(plan.index());
            }
            call(table, () -> {
                client.queryPaginator(request.build()).items().forEach(items::add);
                return null;
            });
        }
        List<ObjectNode> result = new ArrayList<>(items.size());
        for (Map<String, AttributeValue> item : items) {
            ObjectNode json = visible(item);
            if (residual.exact() || FilterMatcher.matches(filter, json)) {
                result.add(json);
            }
        }
        return result;
    }

    @Override
    public void close() {
        // The client belongs to whoever passed it in.
    }

    private static ObjectNode visible(Map<String, AttributeValue> item) {
        ObjectNode json = AttributeValues.object(item);
        json.remove(ItemRules.VERSION_ATTRIBUTE);
        return json;
    }

    private static NotFoundException notFound(TableDefinition table, String key) {
        return new NotFoundException(table.name() + ": no item with " + table.partitionKey() + " \"" + key + "\"");
    }

    /** Runs a request, turning a missing table and DynamoDB's refusals of our input into the store's errors. */
    private <T> T call(TableDefinition table, Supplier<T> request) {
        try {
            return request.get();
        } catch (ResourceNotFoundException missing) {
            throw new IllegalStateException("DynamoDB table " + tableName(table) + " does not exist — call createTables()"
                    + " or apply infra-terraform/dynamodb.tf.json with table_prefix = \"" + tablePrefix + "\"", missing);
        } catch (ConditionalCheckFailedException expected) {
            throw expected;
        } catch (DynamoDbException e) {
            if (e.awsErrorDetails() != null && "ValidationException".equals(e.awsErrorDetails().errorCode())) {
                throw new InvalidQueryException(table.name() + ": DynamoDB refused the request: " + e.awsErrorDetails().errorMessage());
            }
            throw e;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting on DynamoDB", e);
        }
    }
}
