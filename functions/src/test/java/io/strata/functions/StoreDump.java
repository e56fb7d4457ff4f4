package io.strata.functions;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.Store;
import io.strata.tables.TableDefinition;
import io.strata.tables.Tables;

import java.util.Comparator;
import java.util.List;

/** Every record of every table, in key order: equal dumps mean an unchanged store. */
final class StoreDump {

    private StoreDump() {
    }

    static String of(Store store) {
        ObjectNode dump = JsonNodeFactory.instance.objectNode();
        for (TableDefinition table : Tables.all()) {
            List<ObjectNode> items = store.query(table, JsonNodeFactory.instance.objectNode()).stream()
                    .sorted(Comparator.comparing(item -> item.get(table.partitionKey()).textValue()))
                    .toList();
            items.forEach(dump.putArray(table.name())::add);
        }
        return dump.toString();
    }
}
