package io.strata.tables;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Optional;

/**
 * Where the control plane keeps all its state: JSON items in the tables of {@link Tables}, addressed by their string
 * key. Two implementations share one behaviour (pinned by one contract test suite): {@code DynamoDbStore} for the
 * cloud and {@code EmbeddedStore} for a local directory.
 *
 * <p>Errors: {@link InvalidQueryException} (HTTP 400), {@link NotFoundException} (404), {@link DuplicateKeyException}
 * and {@link ConditionFailedException} (409), {@link ContentionException} (503, safe to retry). Every write is atomic and validated in full first: a refused request leaves the store unchanged.
 *
 * <p>Items: any JSON object whose key attribute is a non-empty string; attributes that key a secondary index must be
 * non-empty strings when present. Numbers are kept exactly (integers stay integers, decimals keep their digits, at most
 * 38 significant digits as in DynamoDB); a decimal with an integral value comes back as an integer ({@code 2.0} →
 * {@code 2}), because DynamoDB normalises numbers that way and both stores behave alike. Item size is limited to
 * 256 KiB of JSON, nesting to 32 levels.
 *
 * <p>Filters ({@link #query}) — Mongo style:
 * <ul>
 *   <li>{@code {"a.b": value}} equality on a dotted path; a field holding an array matches when the array equals the
 *       value or any element equals it ({@code {"tags": "llm"}} matches {@code "tags": ["llm", "split"]}); {@code null}
 *       matches a missing field or null.</li>
 *   <li>{@code $eq $ne $in $nin $gt $gte $lt $lte $exists}, several on one path are ANDed; {@code $and $or} take
 *       non-empty arrays of filters. {@code $in}/{@code $nin} use the equality above (so array fields match when any
 *       element is in the list). {@code $gt $gte $lt $lte} take a number or a string and compare fields of the same
 *       type only (strings by code point); an array field never matches them.</li>
 *   <li>Paths walk nested objects only: segments are {@code [A-Za-z0-9_-]+}, a segment never indexes into an
 *       array.</li>
 * </ul>
 *
 * <p>Updates ({@link #update}) — Mongo style, at least one operator, each path at most once and no path inside
 * another: {@code $set}, {@code $unset}, {@code $inc} (numbers; a missing field starts at 0), {@code $push} and
 * {@code $addToSet} (a missing field starts as an empty array; both accept {@code {"$each": [...]}}),
 * {@code $pull} (removes array elements equal to a value, matching an operator condition such as
 * {@code {"$in": [...]}}, or — for object elements — matching a filter). Missing parent objects are created.
 * A document without operators is refused (use {@code $set}); the key attribute cannot be changed.
 */
public interface Store extends AutoCloseable {

    /** Creates every table of {@link Tables#all()} that does not exist yet; calling it again changes nothing. */
    void createTables();

    /**
     * Inserts {@code item}, whose key attribute must be a non-empty string.
     *
     * @throws DuplicateKeyException  an item with that key exists (the existing item is untouched)
     * @throws InvalidQueryException  the item breaks a rule of {@link Store}
     */
    void create(TableDefinition table, ObjectNode item);

    /** The item with that key, or empty. The returned node is the caller's to change. */
    Optional<ObjectNode> get(TableDefinition table, String key);

    /**
     * Applies a Mongo-style update atomically (concurrent updates of one item are never lost) and returns the new item.
     *
     * @throws NotFoundException      no item has that key
     * @throws InvalidQueryException  the update is malformed or does not fit the item (e.g. {@code $inc} on a string)
     */
    ObjectNode update(TableDefinition table, String key, ObjectNode mongoUpdate);

    /**
     * Like {@link #update}, but only if the item as stored matches the Mongo-style {@code mongoCondition} at the moment
     * the update is applied (checked and written atomically): how a state machine refuses a transition that another
     * writer made impossible meanwhile.
     *
     * @throws ConditionFailedException the item exists but does not match; nothing was written
     * @throws NotFoundException        no item has that key
     * @throws InvalidQueryException    the condition or update is malformed
     */
    ObjectNode updateIf(TableDefinition table, String key, ObjectNode mongoCondition, ObjectNode mongoUpdate);

    /** @throws NotFoundException no item has that key */
    void delete(TableDefinition table, String key);

    /**
     * Every item that matches the Mongo-style filter ({@code {}} matches all), in no particular order. Uses the
     * table's key or a secondary index when the filter pins their key attributes by string equality at the top level;
     * index reads in DynamoDB are eventually consistent.
     *
     * @throws InvalidQueryException the filter is malformed
     */
    List<ObjectNode> query(TableDefinition table, ObjectNode mongoFilter);

    /** Releases what the store holds (files, locks); a DynamoDB client passed in is left open for its owner. */
    @Override
    void close();
}
