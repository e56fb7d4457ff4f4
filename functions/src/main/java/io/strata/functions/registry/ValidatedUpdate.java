package io.strata.functions.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.ApiException;
import io.strata.tables.NotFoundException;
import io.strata.tables.Store;
import io.strata.tables.TableDefinition;
import io.strata.tables.json.JsonOrder;
import io.strata.tables.query.UpdateApplier;
import io.strata.tables.query.UpdateParser;

import java.util.function.Consumer;

/**
 * A Mongo-style update that must leave a record valid: it is tried on a copy of the current record first and the
 * result checked (types, required fields, fields that may not change); only then is it applied in the store. A
 * refused update writes nothing.
 */
final class ValidatedUpdate {

    private ValidatedUpdate() {
    }

    /**
     * @param notFound    the 404 message when there is no such record
     * @param checkResult throws an {@link ApiException} when the updated record would be invalid
     * @return the record as stored after the update
     */
    static ObjectNode apply(Store store, TableDefinition table, String key, JsonNode update, String notFound,
                            Consumer<ObjectNode> checkResult) {
        ObjectNode updateDocument = io.strata.functions.api.JsonBodies.object(update, "the update");
        ObjectNode current = store.get(table, key).orElseThrow(() -> ApiException.notFound(notFound));
        ObjectNode after = UpdateApplier.apply(UpdateParser.parse(table, updateDocument), current);
        checkResult.accept(after);
        try {
            return store.update(table, key, updateDocument);
        } catch (NotFoundException deletedMeanwhile) {
            throw ApiException.notFound(notFound);
        }
    }

    /** Refuses an update that changes any of {@code fields}. */
    static void requireUnchanged(ObjectNode before, ObjectNode after, String... fields) {
        for (String field : fields) {
            if (!JsonOrder.equal(before.get(field), after.get(field))) {
                throw ApiException.badRequest("field " + field + " cannot be changed by an update");
            }
        }
    }
}
