package io.strata.tables;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The behaviour every {@link Store} shares. Each implementation runs this whole suite through a subclass that says
 * how to open a fresh, empty store with its tables created.
 */
public abstract class StoreContractTest {

    protected static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    protected Store store;

    /** A new store whose tables exist and are empty. */
    protected abstract Store openStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = openStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private ObjectNode runner(String id) {
        return store.get(Tables.SPLIT_RUNNERS, id).orElseThrow(() -> new AssertionError("no split runner " + id));
    }

    private TreeSet<String> keys(TableDefinition table, String filter) {
        return keys(table, json(filter));
    }

    private TreeSet<String> keys(TableDefinition table, ObjectNode filter) {
        TreeSet<String> keys = new TreeSet<>();
        for (ObjectNode item : store.query(table, filter)) {
            assertTrue(keys.add(item.get(table.partitionKey()).textValue()), "query returned an item twice: " + item);
        }
        return keys;
    }

    private static TreeSet<String> set(String... keys) {
        return new TreeSet<>(List.of(keys));
    }

    // ---- create / get / delete ----

    @Test
    void createdItemIsReadBackAsWritten() {
        ObjectNode item = json("{'split_runner_id': 'r1', 'split_runner_public_host': '192.168.0.106',"
                + " 'split_runner_metadata': {'key': 'value'}, 'split_runner_tags': ['tag1', 'tag2'], 'cluster_k8s_config': {}}");
        store.create(Tables.SPLIT_RUNNERS, item);
        assertEquals(item, runner("r1"));
    }

    @Test
    void missingKeyReadsAsEmpty() {
        assertEquals(Optional.empty(), store.get(Tables.SPLIT_RUNNERS, "nobody"));
    }

    @Test
    void duplicateCreateIsRefusedAndKeepsTheFirstItem() {
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r1', 'v': 1}"));
        assertThrows(DuplicateKeyException.class, () -> store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r1', 'v': 2}")));
        assertEquals(1, runner("r1").get("v").intValue());
    }

    @Test
    void concurrentCreatesOfOneKeyLetExactlyOneWin() throws Exception {
        AtomicInteger duplicates = new AtomicInteger();
        runConcurrently(6, i -> {
            try {
                store.create(Tables.TASKS, json("{'task_id': 't', 'writer': " + i + "}"));
            } catch (DuplicateKeyException expected) {
                duplicates.incrementAndGet();
            }
        });
        assertEquals(5, duplicates.get());
        assertTrue(store.get(Tables.TASKS, "t").isPresent());
    }

    @Test
    void itemsWithoutAStringKeyAreRefused() {
        assertInvalid("split_runner_id", () -> store.create(Tables.SPLIT_RUNNERS, json("{'host': 'h'}")));
        assertInvalid("split_runner_id", () -> store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 5}")));
        assertInvalid("split_runner_id", () -> store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': ''}")));
        assertEquals(List.of(), store.query(Tables.SPLIT_RUNNERS, json("{}")));
    }

    @Test
    void indexKeyAttributesMustBeNonEmptyStrings() {
        assertInvalid("model_asset_id", () -> store.create(Tables.MODEL_LAYERS, json("{'model_layer_hash': 'h', 'model_asset_id': 5}")));
        assertInvalid("model_asset_id", () -> store.create(Tables.MODEL_LAYERS, json("{'model_layer_hash': 'h', 'model_asset_id': ''}")));
        store.create(Tables.MODEL_LAYERS, json("{'model_layer_hash': 'h', 'model_asset_id': 'gpt2'}"));
        assertInvalid("model_asset_id", () -> store.update(Tables.MODEL_LAYERS, "h", json("{'$set': {'model_asset_id': ['x']}}")));
        assertEquals("gpt2", store.get(Tables.MODEL_LAYERS, "h").orElseThrow().get("model_asset_id").textValue());
        store.create(Tables.MODEL_LAYERS, json("{'model_layer_hash': 'no-asset'}"));
    }

    @Test
    void theStoresOwnAttributeIsReserved() {
        assertInvalid("_strata_version", () -> store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r', '_strata_version': 1}")));
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r'}"));
        assertInvalid("_strata_version", () -> store.update(Tables.SPLIT_RUNNERS, "r", json("{'$set': {'_strata_version': 9}}")));
        assertInvalid("_strata_version", () -> store.query(Tables.SPLIT_RUNNERS, json("{'_strata_version': 1}")));
        assertEquals(json("{'split_runner_id': 'r'}"), runner("r"));
    }

    @Test
    void numbersComeBackExactlyWithIntegersAsIntegers() {
        store.create(Tables.TASKS, json("{'task_id': 'n', 'int': 7, 'long': 9007199254740993, 'big': 123456789012345678901234567890,"
                + " 'tenth': 0.1, 'digits38': 0.12345678901234567890123456789012345678, 'neg': -2.5, 'two': 2.0,"
                + " 'hundred': 1E2, 'tiny': 1E-130, 'zero': 0, 'negzero': -0.0, 'list': [1, 1.50, -3]}"));
        JsonNode item = store.get(Tables.TASKS, "n").orElseThrow();
        assertTrue(item.get("int").isInt());
        assertEquals(7, item.get("int").intValue());
        assertTrue(item.get("long").isLong());
        assertEquals(9007199254740993L, item.get("long").longValue());
        assertTrue(item.get("big").isBigInteger());
        assertEquals(new BigInteger("123456789012345678901234567890"), item.get("big").bigIntegerValue());
        assertEquals(0, new BigDecimal("0.1").compareTo(item.get("tenth").decimalValue()));
        assertFalse(item.get("tenth").isIntegralNumber());
        assertEquals(0, new BigDecimal("0.12345678901234567890123456789012345678").compareTo(item.get("digits38").decimalValue()));
        assertEquals(0, new BigDecimal("-2.5").compareTo(item.get("neg").decimalValue()));
        assertTrue(item.get("two").isInt(), "2.0 is kept as the integer 2 (DynamoDB trims trailing zeros)");
        assertEquals(2, item.get("two").intValue());
        assertEquals(100, item.get("hundred").intValue());
        assertEquals(0, new BigDecimal("1E-130").compareTo(item.get("tiny").decimalValue()));
        assertTrue(item.get("zero").isInt());
        assertTrue(item.get("negzero").isInt());
        assertEquals("[1,1.5,-3]", item.get("list").toString());
    }

    @Test
    void doublesParsedByAPlainMapperKeepTheirShortestDecimal() throws Exception {
        ObjectNode item = (ObjectNode) new ObjectMapper().readTree("{\"task_id\": \"d\", \"ratio\": 0.1, \"third\": 0.3333333333333333}");
        store.create(Tables.TASKS, item);
        JsonNode back = store.get(Tables.TASKS, "d").orElseThrow();
        assertEquals("0.1", back.get("ratio").decimalValue().toPlainString());
        assertEquals("0.3333333333333333", back.get("third").decimalValue().toPlainString());
    }

    @Test
    void numbersDynamoDbCannotHoldAreRefused() {
        assertInvalid("big", () -> store.create(Tables.TASKS, json("{'task_id': 'x', 'big': 1E200}")));
        assertInvalid("precise", () -> store.create(Tables.TASKS,
                json("{'task_id': 'x', 'precise': 0.123456789012345678901234567890123456789}")));
        assertEquals(Optional.empty(), store.get(Tables.TASKS, "x"));
    }

    @Test
    void everyJsonTypeRoundTrips() {
        StringBuilder deep = new StringBuilder("'end'");
        for (int i = 0; i < 29; i++) {
            deep.insert(0, "{'d': ").append('}');
        }
        ObjectNode item = json("{'task_id': 'types', 's': 'ünïcødé 😀', 'empty': '', 't': true, 'f': false, 'nothing': null,"
                + " 'emptyList': [], 'emptyMap': {}, 'mixed': [1, 'two', null, false, {'k': [[]]}], 'deep': " + deep + "}");
        store.create(Tables.TASKS, item);
        assertEquals(item, store.get(Tables.TASKS, "types").orElseThrow());
    }

    @Test
    void itemsPastTheSizeOrDepthLimitAreRefused() {
        String big = "x".repeat(300 * 1024);
        assertInvalid("bytes", () -> store.create(Tables.TASKS, json("{'task_id': 'big', 'blob': '" + big + "'}")));
        StringBuilder deep = new StringBuilder("1");
        for (int i = 0; i < 40; i++) {
            deep.insert(0, "[").append(']');
        }
        assertInvalid("nests deeper", () -> store.create(Tables.TASKS, json("{'task_id': 'deep', 'd': " + deep + "}")));
        assertEquals(List.of(), store.query(Tables.TASKS, json("{}")));
    }

    @Test
    void deleteRemovesTheItemAndASecondDeleteIsNotFound() {
        store.create(Tables.VDAGS, json("{'vdag_id': 'v'}"));
        store.delete(Tables.VDAGS, "v");
        assertEquals(Optional.empty(), store.get(Tables.VDAGS, "v"));
        assertThrows(NotFoundException.class, () -> store.delete(Tables.VDAGS, "v"));
        store.create(Tables.VDAGS, json("{'vdag_id': 'v', 'again': true}"));
        assertTrue(store.get(Tables.VDAGS, "v").orElseThrow().get("again").booleanValue());
    }

    @Test
    void createTablesCanBeCalledAgain() {
        store.create(Tables.VDAGS, json("{'vdag_id': 'kept'}"));
        store.createTables();
        store.createTables();
        assertTrue(store.get(Tables.VDAGS, "kept").isPresent());
    }

    // ---- updates ----

    @Test
    void seedUpdateSetsANestedFieldAndAddsATagOnce() {
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r', 'split_runner_metadata': {'framework': 'transformers'},"
                + " 'split_runner_tags': ['tag1', 'tag2']}"));
        ObjectNode update = json("{'$set': {'split_runner_metadata.version': '2.0'}, '$addToSet': {'split_runner_tags': 'auto-scaled'}}");
        ObjectNode expected = json("{'split_runner_id': 'r', 'split_runner_metadata': {'framework': 'transformers', 'version': '2.0'},"
                + " 'split_runner_tags': ['tag1', 'tag2', 'auto-scaled']}");
        assertEquals(expected, store.update(Tables.SPLIT_RUNNERS, "r", update));
        assertEquals(expected, store.update(Tables.SPLIT_RUNNERS, "r", update));
        assertEquals(expected, runner("r"));
    }

    @Test
    void setCreatesMissingParentsAndReplacesValues() {
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r', 'a': {'keep': 1}, 'tags': ['x']}"));
        ObjectNode after = store.update(Tables.SPLIT_RUNNERS, "r",
                json("{'$set': {'a.b.c': 1, 'fresh.deep.er': 'yes', 'tags': {'now': 'object'}, 'n': null}}"));
        ObjectNode expected = json("{'split_runner_id': 'r', 'a': {'keep': 1, 'b': {'c': 1}}, 'fresh': {'deep': {'er': 'yes'}},"
                + " 'tags': {'now': 'object'}, 'n': null}");
        assertEquals(expected, after);
        assertEquals(expected, runner("r"));
    }

    @Test
    void unsetRemovesFieldsAndIgnoresMissingOnes() {
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r', 'meta': {'a': 1, 'b': 2}, 'top': 'x', 's': 'str'}"));
        store.update(Tables.SPLIT_RUNNERS, "r", json("{'$unset': {'meta.a': '', 'top': '', 'missing.path': '', 's.inner': ''}}"));
        assertEquals(json("{'split_runner_id': 'r', 'meta': {'b': 2}, 's': 'str'}"), runner("r"));
    }

    @Test
    void incAddsExactlyAndStartsMissingFieldsAtZero() {
        store.create(Tables.TASKS, json("{'task_id': 't', 'count': 1}"));
        store.update(Tables.TASKS, "t", json("{'$inc': {'count': 4, 'ratio': 0.1, 'nested.hits': -1}}"));
        ObjectNode after = store.update(Tables.TASKS, "t", json("{'$inc': {'count': 5, 'ratio': 0.2, 'nested.hits': -1}}"));
        assertEquals(10, after.get("count").intValue());
        assertTrue(after.get("count").isInt());
        assertEquals(0, new BigDecimal("0.3").compareTo(after.get("ratio").decimalValue()), "0.1 + 0.2 is exactly 0.3 here");
        assertEquals(-2, after.at("/nested/hits").intValue());
        ObjectNode whole = store.update(Tables.TASKS, "t", json("{'$inc': {'ratio': 0.7}}"));
        assertTrue(whole.get("ratio").isInt(), "0.3 + 0.7 = 1 is an integer again");
        assertEquals(after.put("ratio", 1), store.get(Tables.TASKS, "t").orElseThrow());
    }

    @Test
    void pushAppendsAndEachAppendsSeveral() {
        store.create(Tables.TASKS, json("{'task_id': 't'}"));
        store.update(Tables.TASKS, "t", json("{'$push': {'log': 'a'}}"));
        store.update(Tables.TASKS, "t", json("{'$push': {'log': {'$each': ['b', 'a']}, 'objs': {'k': 1}}}"));
        assertEquals(json("{'task_id': 't', 'log': ['a', 'b', 'a'], 'objs': [{'k': 1}]}"), store.get(Tables.TASKS, "t").orElseThrow());
    }

    @Test
    void addToSetSkipsValuesAlreadyPresentIncludingEqualObjects() {
        store.create(Tables.TASKS, json("{'task_id': 't', 'tags': ['x'], 'objs': [{'a': 1, 'b': 2}]}"));
        ObjectNode after = store.update(Tables.TASKS, "t",
                json("{'$addToSet': {'tags': {'$each': ['x', 'y', 'y', 'z']}, 'objs': {'b': 2, 'a': 1}, 'nums': {'$each': [1, 1.0, 2]}}}"));
        assertEquals(json("{'task_id': 't', 'tags': ['x', 'y', 'z'], 'objs': [{'a': 1, 'b': 2}], 'nums': [1, 2]}"), after);
    }

    @Test
    void pullRemovesEqualValuesOperatorMatchesAndMatchingObjects() {
        store.create(Tables.MODEL_LAYERS, json("{'model_layer_hash': 'h', 'tags': ['a', 'b', 'c', 'b'], 'nums': [1, 5, 10],"
                + " 'model_layer_metadata': [{'precision': 'fp16', 'rank': 1}, {'precision': 'fp32'}, 'plain']}"));
        store.update(Tables.MODEL_LAYERS, "h", json("{'$pull': {'tags': 'b', 'nums': {'$gte': 5},"
                + " 'model_layer_metadata': {'precision': 'fp16'}, 'absent': 'x'}}"));
        assertEquals(json("{'model_layer_hash': 'h', 'tags': ['a', 'c'], 'nums': [1], 'model_layer_metadata': [{'precision': 'fp32'}, 'plain']}"),
                store.get(Tables.MODEL_LAYERS, "h").orElseThrow());
        store.update(Tables.MODEL_LAYERS, "h", json("{'$pull': {'tags': {'$in': ['a', 'c']}}}"));
        assertEquals(JSON.createArrayNode(), store.get(Tables.MODEL_LAYERS, "h").orElseThrow().get("tags"));
    }

    @Test
    void updateOfAMissingKeyIsNotFound() {
        assertThrows(NotFoundException.class, () -> store.update(Tables.TASKS, "ghost", json("{'$set': {'status': 'running'}}")));
        assertEquals(Optional.empty(), store.get(Tables.TASKS, "ghost"));
    }

    @Test
    void conditionalUpdateWritesOnlyWhenTheItemMatches() {
        store.create(Tables.TASKS, json("{'task_id': 't', 'status': 'running', 'n': 1}"));
        ObjectNode after = store.updateIf(Tables.TASKS, "t", json("{'status': {'$in': ['pending', 'running']}}"),
                json("{'$set': {'status': 'complete'}, '$inc': {'n': 1}}"));
        assertEquals(json("{'task_id': 't', 'status': 'complete', 'n': 2}"), after);
        ConditionFailedException refused = assertThrows(ConditionFailedException.class, () -> store.updateIf(Tables.TASKS, "t",
                json("{'status': {'$in': ['pending', 'running']}}"), json("{'$set': {'status': 'running'}}")));
        assertEquals("complete", refused.current().get("status").asText(), "the refusal shows the item as it is");
        assertEquals(after, store.get(Tables.TASKS, "t").orElseThrow(), "a failed condition writes nothing");
        assertThrows(NotFoundException.class, () -> store.updateIf(Tables.TASKS, "ghost", json("{}"),
                json("{'$set': {'status': 'running'}}")));
        assertInvalid("$where", () -> store.updateIf(Tables.TASKS, "t", json("{'$where': 'x'}"), json("{'$set': {'a': 1}}")));
    }

    @Test
    void concurrentConditionalTransitionsLetExactlyOneWin() throws Exception {
        store.create(Tables.TASKS, json("{'task_id': 'race', 'status': 'running'}"));
        AtomicInteger won = new AtomicInteger();
        runConcurrently(8, i -> {
            try {
                store.updateIf(Tables.TASKS, "race", json("{'status': 'running'}"),
                        json("{'$set': {'status': 'complete', 'winner': " + i + "}}"));
                won.incrementAndGet();
            } catch (ConditionFailedException lost) {
                // the expected outcome for all but one
            }
        });
        assertEquals(1, won.get(), "a terminal state is entered once");
    }

    @Test
    void invalidUpdatesAreRefusedAndLeaveTheItemUnchanged() {
        ObjectNode original = json("{'split_runner_id': 'r', 'n': 1, 's': 'text', 'tags': ['x'], 'meta': {'k': 'v'}}");
        store.create(Tables.SPLIT_RUNNERS, original);
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("{}", "empty");
        refusals.put("{'n': 2}", "$set");
        refusals.put("{'$set': {'ok': 1}, 'n': 2}", "$set");
        refusals.put("{'$rename': {'n': 'm'}}", "$rename");
        refusals.put("{'$max': {'n': 5}}", "$max");
        refusals.put("{'$set': 5}", "$set");
        refusals.put("{'$set': {}}", "$set");
        refusals.put("{'$set': {'a..b': 1}}", "a..b");
        refusals.put("{'$set': {'$x': 1}}", "$x");
        refusals.put("{'$set': {'a[0]': 1}}", "a[0]");
        refusals.put("{'$set': {'a b': 1}}", "a b");
        refusals.put("{'$set': {'tags.': 1}}", "tags.");
        refusals.put("{'$set': {'split_runner_id': 'other'}}", "split_runner_id");
        refusals.put("{'$unset': {'split_runner_id': ''}}", "split_runner_id");
        refusals.put("{'$set': {'n': 1}, '$inc': {'n': 1}}", "overlap");
        refusals.put("{'$set': {'meta': {}, 'meta.k': 2}}", "overlap");
        refusals.put("{'$inc': {'n': '1'}}", "$inc");
        refusals.put("{'$set': {'ok': 1}, '$inc': {'s': 1}}", "$inc on \"s\"");
        refusals.put("{'$set': {'ok': 1}, '$push': {'s': 'x'}}", "not an array");
        refusals.put("{'$addToSet': {'meta': 'x'}}", "not an array");
        refusals.put("{'$pull': {'s': 'x'}}", "not an array");
        refusals.put("{'$set': {'s.inner': 1}}", "\"s\" holds a string");
        refusals.put("{'$set': {'tags.inner': 1}}", "\"tags\" holds an array");
        refusals.put("{'$push': {'tags': {'$slice': 1}}}", "$each");
        refusals.put("{'$push': {'tags': {'$each': 'x'}}}", "$each");
        refusals.put("{'$pull': {'tags': {'$regex': 'x'}}}", "$regex");
        refusals.put("{'$set': {'big': 1E200}}", "big");
        refusals.put("{'$inc': {'n': 1E125}}", "n");
        refusals.put("{'$set': {'blob': '" + "y".repeat(300 * 1024) + "'}}", "bytes");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            String label = refusal.getKey().length() > 80 ? refusal.getKey().substring(0, 80) + "..." : refusal.getKey();
            InvalidQueryException e = assertThrows(InvalidQueryException.class,
                    () -> store.update(Tables.SPLIT_RUNNERS, "r", json(refusal.getKey())), label);
            assertTrue(e.getMessage().contains(refusal.getValue()), label + " → " + e.getMessage());
            assertEquals(original, runner("r"), "unchanged after " + label);
        }
    }

    // ---- queries ----

    @Test
    void seedQueryMatchesFrameworkAndTagWithArraySemantics() {
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r1', 'split_runner_metadata': {'framework': 'transformers'},"
                + " 'split_runner_tags': ['llm', 'split']}"));
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r2', 'split_runner_metadata': {'framework': 'transformers'},"
                + " 'split_runner_tags': ['vision']}"));
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r3', 'split_runner_metadata': {'framework': 'pytorch'},"
                + " 'split_runner_tags': ['llm']}"));
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r4', 'split_runner_metadata': {'framework': 'transformers'},"
                + " 'split_runner_tags': 'llm'}"));
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r5', 'split_runner_metadata': {'framework': 'transformers'},"
                + " 'split_runner_tags': 'xllmx'}"));
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r6', 'split_runner_metadata': {'framework': 'transformers'},"
                + " 'split_runner_tags': ['llm-large', 'xllmx']}"));
        assertEquals(set("r1", "r4"), keys(Tables.SPLIT_RUNNERS,
                "{'split_runner_metadata.framework': 'transformers', 'split_runner_tags': {'$in': ['llm']}}"));
        assertEquals(set("r1", "r3", "r4"), keys(Tables.SPLIT_RUNNERS, "{'split_runner_tags': 'llm'}"));
        List<ObjectNode> items = store.query(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r1'}"));
        assertEquals(List.of(runner("r1")), items);
    }

    /** One corpus, every operator; the expectations are Mongo's answers (with Strata's documented range rule). */
    @Test
    void everyFilterOperatorFollowsMongoSemantics() {
        String[] corpus = {
                "{'split_runner_id': 'a', 'n': 1, 's': 'apple', 'tags': ['x', 'y'], 'meta': {'k': 'v', 'depth': {'z': 1}}, 'flag': true,"
                        + " 'nul': null, 'layers': [{'precision': 'fp16'}, {'precision': 'fp32'}], 'dec': 1.5}",
                "{'split_runner_id': 'b', 'n': 2, 's': 'banana', 'tags': ['y'], 'meta': {'k': 'w'}, 'flag': false,"
                        + " 'layers': [{'precision': 'fp32'}], 'dec': 2.5, 'objs': [{'q': 1}], 'nested': [[1, 2]]}",
                "{'split_runner_id': 'c', 'n': 10, 's': 'cherry', 'tags': 'x', 'meta': 'flat', 'nums': [5, 15]}",
                "{'split_runner_id': 'd', 'n': 2.0, 's': 'Banana', 'tags': [], 'obj': {'q': 1}}",
                "{'split_runner_id': 'e'}",
        };
        for (String item : corpus) {
            store.create(Tables.SPLIT_RUNNERS, json(item));
        }
        String[][] cases = {
                {"{}", "a b c d e"},
                {"{'n': 2}", "b d"},
                {"{'n': 1.0}", "a"},
                {"{'n': {'$eq': 1}}", "a"},
                {"{'n': {'$ne': 2}}", "a c e"},
                {"{'n': {'$gt': 1}}", "b c d"},
                {"{'n': {'$gte': 2, '$lt': 10}}", "b d"},
                {"{'n': {'$lte': 1}}", "a"},
                {"{'n': {'$gt': 'a'}}", ""},
                {"{'s': {'$gt': 'b'}}", "b c"},
                {"{'s': {'$lt': 'a'}}", "d"},
                {"{'s': {'$gte': 'cherry'}}", "c"},
                {"{'tags': 'x'}", "a c"},
                {"{'tags': {'$in': ['y', 'z']}}", "a b"},
                {"{'tags': {'$nin': ['x']}}", "b d e"},
                {"{'tags': []}", "d"},
                {"{'tags': ['x', 'y']}", "a"},
                {"{'tags': ['y', 'x']}", ""},
                {"{'meta.k': 'v'}", "a"},
                {"{'meta.depth.z': 1}", "a"},
                {"{'meta.k': {'$exists': true}}", "a b"},
                {"{'meta.k': {'$exists': false}}", "c d e"},
                {"{'meta': 'flat'}", "c"},
                {"{'meta': {'k': 'w'}}", "b"},
                {"{'flag': true}", "a"},
                {"{'flag': false}", "b"},
                {"{'flag': {'$ne': true}}", "b c d e"},
                {"{'nul': null}", "a b c d e"},
                {"{'nul': {'$exists': true}}", "a"},
                {"{'nul': {'$ne': null}}", ""},
                {"{'n': null}", "e"},
                {"{'n': {'$in': [null, 10]}}", "c e"},
                {"{'layers.precision': 'fp16'}", "a"},
                {"{'layers.precision': 'fp32'}", "a b"},
                {"{'layers.precision': {'$ne': 'fp16'}}", "b c d e"},
                {"{'layers.precision': {'$exists': true}}", "a b"},
                {"{'obj': {'q': 1}}", "d"},
                {"{'obj.q': 1}", "d"},
                {"{'objs': {'q': 1}}", "b"},
                {"{'nested': [1, 2]}", "b"},
                {"{'nums': 15}", "c"},
                {"{'nums': {'$gt': 10}}", ""},
                {"{'dec': {'$gt': 2}}", "b"},
                {"{'dec': 1.5}", "a"},
                {"{'dec': {'$in': [2.5, 1]}}", "b"},
                {"{'$or': [{'n': 1}, {'s': 'cherry'}]}", "a c"},
                {"{'$and': [{'tags': 'y'}, {'n': {'$gt': 1}}]}", "b"},
                {"{'$or': [{'$and': [{'n': 2}, {'s': 'Banana'}]}, {'meta.k': 'v'}]}", "a d"},
                {"{'n': {'$in': []}}", ""},
                {"{'n': {'$nin': []}}", "a b c d e"},
                {"{'$or': [{'n': {'$in': []}}, {'flag': true}]}", "a"},
                {"{'$or': [{}, {'flag': true}]}", "a b c d e"},
                {"{'s': {'$in': ['apple', 10]}}", "a"},
                {"{'n': {'$in': [10, 'apple']}}", "c"},
                {"{'split_runner_id': 'c'}", "c"},
                {"{'split_runner_id': 'c', 'n': 2}", ""},
                {"{'split_runner_id': {'$in': ['a', 'b']}}", "a b"},
                {"{'split_runner_id': 'a', '$or': [{'split_runner_id': 'a'}, {'n': 5}]}", "a"},
                {"{'split_runner_id': {'$gt': 'c'}}", "d e"},
        };
        for (String[] c : cases) {
            TreeSet<String> expected = c[1].isEmpty() ? new TreeSet<>() : new TreeSet<>(List.of(c[1].split(" ")));
            assertEquals(expected, keys(Tables.SPLIT_RUNNERS, c[0]), c[0]);
        }
    }

    @Test
    void queriesOnIndexedAttributesFindEveryMatch() {
        store.create(Tables.MODEL_LAYERS, json("{'model_layer_hash': 'h1', 'model_asset_id': 'gpt2', 'model_layer_rank': 0}"));
        store.create(Tables.MODEL_LAYERS, json("{'model_layer_hash': 'h2', 'model_asset_id': 'gpt2', 'model_layer_rank': 1}"));
        store.create(Tables.MODEL_LAYERS, json("{'model_layer_hash': 'h3', 'model_asset_id': 'llama', 'model_layer_rank': 0}"));
        store.create(Tables.MODEL_LAYERS, json("{'model_layer_hash': 'h4', 'model_layer_rank': 0}"));
        assertEquals(set("h1", "h2"), keys(Tables.MODEL_LAYERS, "{'model_asset_id': 'gpt2'}"));
        assertEquals(set("h1"), keys(Tables.MODEL_LAYERS, "{'model_asset_id': 'gpt2', 'model_layer_rank': 0}"));
        assertEquals(set("h2"), keys(Tables.MODEL_LAYERS, "{'model_asset_id': 'gpt2', '$or': [{'model_asset_id': 'x'}, {'model_layer_rank': 1}]}"));
        assertEquals(set(), keys(Tables.MODEL_LAYERS, "{'model_asset_id': 'gpt2', 'model_layer_hash': 'h3'}"));
        assertEquals(set("h1", "h3", "h4"), keys(Tables.MODEL_LAYERS, "{'model_layer_rank': 0}"));

        store.create(Tables.BLOCKS, json("{'block_id': 'b1', 'block_component_uri': 'split-runner.torch:v1', 'block_model_layer_hash': 'abc'}"));
        store.create(Tables.BLOCKS, json("{'block_id': 'b2', 'block_component_uri': 'split-runner.torch:v1', 'block_model_layer_hash': 'def'}"));
        store.create(Tables.BLOCKS, json("{'block_id': 'b3', 'block_component_uri': 'split-runner.torch:v1'}"));
        store.create(Tables.BLOCKS, json("{'block_id': 'b4', 'block_component_uri': 'other', 'block_model_layer_hash': 'abc'}"));
        assertEquals(set("b1"), keys(Tables.BLOCKS, "{'block_component_uri': 'split-runner.torch:v1', 'block_model_layer_hash': 'abc'}"));
        assertEquals(set("b1", "b2", "b3"), keys(Tables.BLOCKS, "{'block_component_uri': 'split-runner.torch:v1'}"),
                "an item without the index's sort key is still found");
        assertEquals(set("b1", "b4"), keys(Tables.BLOCKS, "{'block_model_layer_hash': 'abc'}"));
    }

    @Test
    void queriesReadEveryPage() {
        String filler = "p".repeat(30 * 1024);
        for (int i = 0; i < 45; i++) {
            store.create(Tables.TASKS, json("{'task_id': 't" + i + "', 'status': '" + (i % 3 == 0 ? "failed" : "complete")
                    + "', 'filler': '" + filler + "'}"));
        }
        assertEquals(45, store.query(Tables.TASKS, json("{}")).size());
        assertEquals(15, store.query(Tables.TASKS, json("{'status': 'failed'}")).size());
    }

    @Test
    void invalidFiltersAreRefusedNamingTheProblem() {
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r', 'n': 1}"));
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put("{'a..b': 1}", "a..b");
        refusals.put("{'a.': 1}", "a.");
        refusals.put("{'.a': 1}", ".a");
        refusals.put("{'': 1}", "empty path");
        refusals.put("{'a[0]': 1}", "a[0]");
        refusals.put("{'a b': 1}", "a b");
        refusals.put("{'$x': 1}", "$x");
        refusals.put("{'$where': 'sleep(1)'}", "$where");
        refusals.put("{'$nor': [{'n': 1}]}", "$nor");
        refusals.put("{'n': {'$regex': 'x'}}", "$regex");
        refusals.put("{'n': {'$not': {'$eq': 1}}}", "$not");
        refusals.put("{'n': {'$in': 5}}", "$in");
        refusals.put("{'n': {'$nin': 'x'}}", "$nin");
        refusals.put("{'n': {'$in': [{'$gt': 1}]}}", "$in");
        refusals.put("{'n': {'$gt': true}}", "$gt");
        refusals.put("{'n': {'$lte': [1]}}", "$lte");
        refusals.put("{'n': {'$gte': null}}", "$gte");
        refusals.put("{'n': {'$exists': 1}}", "$exists");
        refusals.put("{'$and': []}", "$and");
        refusals.put("{'$or': {'n': 1}}", "$or");
        refusals.put("{'$or': [5]}", "$or");
        refusals.put("{'n': {'$gt': 1, 'x': 2}}", "mixes");
        refusals.put("{'n': 1E200}", "n");
        StringBuilder many = new StringBuilder("{'n': {'$in': [0");
        for (int i = 1; i <= 64; i++) {
            many.append(", ").append(i);
        }
        refusals.put(many.append("]}}").toString(), "conditions");
        StringBuilder deep = new StringBuilder("{'n': 1}");
        for (int i = 0; i < 10; i++) {
            deep.insert(0, "{'$and': [").append("]}");
        }
        refusals.put(deep.toString(), "nest");
        StringBuilder longPaths = new StringBuilder("{'$or': [");
        for (int i = 0; i < 30; i++) {
            longPaths.append(i == 0 ? "" : ", ").append("{'a").append(i).append(".b.c.d.e.f': 'v'}");
        }
        refusals.put(longPaths.append("]}").toString(), "too complex");
        for (Map.Entry<String, String> refusal : refusals.entrySet()) {
            InvalidQueryException e = assertThrows(InvalidQueryException.class,
                    () -> store.query(Tables.SPLIT_RUNNERS, json(refusal.getKey())), refusal.getKey());
            assertTrue(e.getMessage().contains(refusal.getValue()), refusal.getKey() + " → " + e.getMessage());
        }
    }

    // ---- injection-shaped input ----

    private static final String[] INJECTIONS = {"a) OR (b", "#x", ":v0", "x = :v0", "attribute_exists(split_runner_id)", "#n0.#n1", "' OR '1'='1"};

    @Test
    void injectionShapedKeysAndValuesAreStoredAndComparedLiterally() {
        for (int i = 0; i < INJECTIONS.length; i++) {
            ObjectNode item = JSON.createObjectNode().put("split_runner_id", INJECTIONS[i]).put("name", INJECTIONS[i]).put("i", i);
            item.put(INJECTIONS[i], "field named " + INJECTIONS[i]);
            store.create(Tables.SPLIT_RUNNERS, item);
        }
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'plain', 'name': 'plain', 'i': -1}"));
        for (int i = 0; i < INJECTIONS.length; i++) {
            String s = INJECTIONS[i];
            ObjectNode stored = runner(s);
            assertEquals(i, stored.get("i").intValue(), s);
            assertEquals("field named " + s, stored.get(s).textValue(), "a field named " + s + " is kept as it is");
            assertEquals(set(s), keys(Tables.SPLIT_RUNNERS, JSON.createObjectNode().put("name", s)), s);
            assertEquals(set(s), keys(Tables.SPLIT_RUNNERS, JSON.createObjectNode().put("split_runner_id", s)), s);
            ObjectNode in = JSON.createObjectNode();
            in.putObject("name").putArray("$in").add(s).add("nothing");
            assertEquals(set(s), keys(Tables.SPLIT_RUNNERS, in), s);
            ObjectNode update = JSON.createObjectNode();
            update.putObject("$set").put("value", s);
            assertEquals(s, store.update(Tables.SPLIT_RUNNERS, s, update).get("value").textValue());
        }
        for (String s : INJECTIONS) {
            ObjectNode filter = JSON.createObjectNode().put(s, "x");
            assertInvalid("malformed", () -> store.query(Tables.SPLIT_RUNNERS, filter));
            ObjectNode update = JSON.createObjectNode();
            update.putObject("$set").put(s, "x");
            assertInvalid("malformed", () -> store.update(Tables.SPLIT_RUNNERS, "plain", update));
        }
        assertEquals(INJECTIONS.length + 1, store.query(Tables.SPLIT_RUNNERS, json("{}")).size());
        for (String s : INJECTIONS) {
            store.delete(Tables.SPLIT_RUNNERS, s);
        }
        assertEquals(set("plain"), keys(Tables.SPLIT_RUNNERS, "{}"));
    }

    // ---- concurrency ----

    @Test
    void concurrentIncrementsAreAllCounted() throws Exception {
        store.create(Tables.TASKS, json("{'task_id': 'c', 'count': 0}"));
        runConcurrently(6, i -> {
            for (int k = 0; k < 8; k++) {
                store.update(Tables.TASKS, "c", json("{'$inc': {'count': 1, 'by.writer" + i + "': 1}}"));
            }
        });
        ObjectNode item = store.get(Tables.TASKS, "c").orElseThrow();
        assertEquals(48, item.get("count").intValue());
        for (int i = 0; i < 6; i++) {
            assertEquals(8, item.at("/by/writer" + i).intValue());
        }
    }

    @Test
    void concurrentAddToSetKeepsEveryTag() throws Exception {
        store.create(Tables.SPLIT_RUNNERS, json("{'split_runner_id': 'r', 'split_runner_tags': ['base']}"));
        runConcurrently(6, i -> {
            for (int k = 0; k < 5; k++) {
                store.update(Tables.SPLIT_RUNNERS, "r", json("{'$addToSet': {'split_runner_tags': {'$each': ['w" + i + "-" + k + "', 'shared']}}}"));
            }
        });
        TreeSet<String> tags = new TreeSet<>();
        runner("r").get("split_runner_tags").forEach(t -> assertTrue(tags.add(t.textValue()), "duplicate tag " + t));
        assertEquals(32, tags.size(), tags.toString());
        assertTrue(tags.contains("base") && tags.contains("shared") && tags.contains("w5-4"));
    }

    // ---- helpers ----

    protected static void assertInvalid(String messagePart, Executable call) {
        InvalidQueryException e = assertThrows(InvalidQueryException.class, call);
        assertTrue(e.getMessage().contains(messagePart), "message should name " + messagePart + ": " + e.getMessage());
    }

    private interface Worker {
        void run(int index) throws Exception;
    }

    private static void runConcurrently(int threads, Worker worker) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Void>> futures = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int i = 0; i < threads; i++) {
                int index = i;
                futures.add(pool.submit((Callable<Void>) () -> {
                    start.await();
                    worker.run(index);
                    return null;
                }));
            }
            start.countDown();
            for (Future<Void> f : futures) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    fail("a concurrent writer failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
