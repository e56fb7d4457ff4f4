package io.strata.tables.dynamo;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.Tables;
import io.strata.tables.query.Filter;
import io.strata.tables.query.FilterMatcher;
import io.strata.tables.query.FilterParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FilterExpression text, checked against DynamoDB (dynalite) rather than trusted: for many filters over a mixed
 * corpus, what DynamoDB returns for the bare expression must contain every item Java matches, and be exactly those
 * items whenever the translation says it is exact.
 */
class FilterTranslationTest {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private static final String[] CORPUS = {
            "{'split_runner_id': 'a', 'n': 1, 's': 'x', 'tags': ['x', 'y'], 'meta': {'k': 'v'}, 'flag': true, 'nul': null, 'obj': {'q': 1}}",
            "{'split_runner_id': 'b', 'n': 2, 's': 'y', 'tags': ['y'], 'meta': {'k': 'w'}, 'flag': false, 'dec': 1.5}",
            "{'split_runner_id': 'c', 'n': 1.5, 's': 'xyz', 'tags': 'x', 'meta': 'flat', 'obj': [{'q': 1}]}",
            "{'split_runner_id': 'd', 'n': 'x', 's': 2, 'tags': [], 'meta': {'k': ['v', 'w']}, 'flag': [true], 'nul': [null]}",
            "{'split_runner_id': 'e', 'tags': [1, 'x', [1, 2]], 'meta': {'k': {'q': 1}}, 'obj': {'q': 2}}",
            "{'split_runner_id': 'f', 'layers': [{'precision': 'fp16'}, {'precision': 'fp32'}], 'meta': [{'k': 'v'}]}",
            "{'split_runner_id': 'g'}",
    };
    private static final String[] PATHS = {"n", "s", "tags", "meta.k", "flag", "nul", "obj", "layers.precision", "missing", "obj.q"};
    private static final String[] VALUES = {"1", "2", "1.5", "'x'", "'y'", "'v'", "true", "null", "{'q': 1}", "['x', 'y']", "[1, 2]"};

    private static Dynalite dynalite;
    private static DynamoDbStore store;
    private static List<ObjectNode> items;

    @BeforeAll
    static void load() throws Exception {
        dynalite = Dynalite.startIfInstalled();
        if (dynalite == null) {
            return;
        }
        store = new DynamoDbStore(dynalite.client(), "translation-");
        store.createTables();
        items = new ArrayList<>();
        for (String item : CORPUS) {
            ObjectNode node = json(item);
            store.create(Tables.SPLIT_RUNNERS, node);
            items.add(node);
        }
    }

    @BeforeEach
    void needsDynalite() {
        Dynalite.assumeRunning(dynalite);
    }

    @AfterAll
    static void stop() {
        if (dynalite != null) {
            dynalite.close();
        }
    }

    @Test
    void expressionsNeverLoseAMatchAndAreExactWhenTheySaySo() {
        List<String> filters = filters();
        int exact = 0;
        for (String text : filters) {
            Filter filter = FilterParser.parse(json(text));
            FilterExpressions.Translation t = new FilterExpressions(new Placeholders()).translate(filter);
            TreeSet<String> dynamo = scan(filter, true);
            TreeSet<String> java = javaMatches(filter);
            assertTrue(dynamo.containsAll(java), text + ": DynamoDB " + dynamo + " lost some of Java's " + java);
            if (t.exact()) {
                exact++;
                assertEquals(java, dynamo, text + " is translated as exact");
            }
        }
        assertTrue(exact > filters.size() / 3, "only " + exact + " of " + filters.size() + " filters translate exactly");
    }

    @Test
    void dottedPathsAreExactWhereNoArrayLiesOnTheWay() {
        for (String path : new String[]{"meta.k", "obj.q", "missing.deeper"}) {
            for (String value : VALUES) {
                for (String condition : List.of(value, "{'$ne': " + value + "}", "{'$exists': true}", "{'$exists': false}")) {
                    String text = "{'" + path + "': " + condition + "}";
                    Filter filter = FilterParser.parse(json(text));
                    FilterExpressions.Translation t = new FilterExpressions(new Placeholders(), false).translate(filter);
                    if (!t.exact()) {
                        continue;
                    }
                    TreeSet<String> expected = new TreeSet<>();
                    for (ObjectNode item : items) {
                        // Items with an array on the way answer differently in Mongo; compare the others only.
                        if (!crossesArray(item, path) && FilterMatcher.matches(filter, item)) {
                            expected.add(item.get("split_runner_id").textValue());
                        }
                    }
                    TreeSet<String> dynamo = scan(filter, false);
                    for (ObjectNode item : items) {
                        if (crossesArray(item, path)) {
                            dynamo.remove(item.get("split_runner_id").textValue());
                        }
                    }
                    assertEquals(expected, dynamo, text);
                }
            }
        }
    }

    @Test
    void commonFiltersAreServedByDynamoDbAlone() {
        for (String text : List.of("{'s': 'x'}", "{'tags': {'$in': ['x', 'y']}}", "{'n': {'$gte': 1, '$lt': 2}}", "{'meta': {'$exists': true}}",
                "{'$or': [{'s': 'x'}, {'n': {'$ne': 1}}]}", "{'tags': {'$nin': ['x']}}", "{'split_runner_id': 'a'}")) {
            assertTrue(new FilterExpressions(new Placeholders()).translate(FilterParser.parse(json(text))).exact(), text);
        }
    }

    private static List<String> filters() {
        List<String> leaves = new ArrayList<>();
        for (String path : PATHS) {
            for (String value : VALUES) {
                leaves.add("{'" + path + "': " + value + "}");
                leaves.add("{'" + path + "': {'$ne': " + value + "}}");
            }
            for (String value : new String[]{"1", "'x'", "null", "{'q': 1}"}) {
                leaves.add("{'" + path + "': {'$in': [" + value + ", 'y']}}");
                leaves.add("{'" + path + "': {'$nin': [" + value + "]}}");
            }
            for (String value : new String[]{"1", "'x'", "'xy'"}) {
                for (String op : new String[]{"$gt", "$gte", "$lt", "$lte"}) {
                    leaves.add("{'" + path + "': {'" + op + "': " + value + "}}");
                }
            }
            leaves.add("{'" + path + "': {'$exists': true}}");
            leaves.add("{'" + path + "': {'$exists': false}}");
        }
        List<String> filters = new ArrayList<>(leaves);
        Random random = new Random(42);
        for (int i = 0; i < 80; i++) {
            String a = leaves.get(random.nextInt(leaves.size()));
            String b = leaves.get(random.nextInt(leaves.size()));
            String op = random.nextBoolean() ? "$and" : "$or";
            filters.add("{'" + op + "': [" + a + ", " + b + "]}");
        }
        return filters;
    }

    private static TreeSet<String> scan(Filter filter, boolean pathsMayCrossArrays) {
        Placeholders p = new Placeholders();
        FilterExpressions.Translation t = new FilterExpressions(p, pathsMayCrossArrays).translate(filter);
        TreeSet<String> keys = new TreeSet<>();
        switch (t.kind()) {
            case NONE -> {
                return keys;
            }
            case ALL -> items.forEach(i -> keys.add(i.get("split_runner_id").textValue()));
            case SOME -> {
                Placeholders used = p.usedBy(t.expression());
                dynalite.client().scanPaginator(ScanRequest.builder().tableName(store.tableName(Tables.SPLIT_RUNNERS))
                                .filterExpression(t.expression()).expressionAttributeNames(used.names())
                                .expressionAttributeValues(used.values()).build())
                        .items().forEach(i -> keys.add(i.get("split_runner_id").s()));
            }
        }
        return keys;
    }

    private static TreeSet<String> javaMatches(Filter filter) {
        TreeSet<String> keys = new TreeSet<>();
        for (ObjectNode item : items) {
            if (FilterMatcher.matches(filter, item)) {
                keys.add(item.get("split_runner_id").textValue());
            }
        }
        return keys;
    }

    private static boolean crossesArray(JsonNode item, String path) {
        JsonNode node = item;
        String[] segments = path.split("\\.");
        for (int i = 0; i < segments.length - 1; i++) {
            node = node.get(segments[i]);
            if (node == null) {
                return false;
            }
            if (node.isArray()) {
                return true;
            }
        }
        return false;
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
