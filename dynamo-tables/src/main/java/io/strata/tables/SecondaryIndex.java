package io.strata.tables;

import java.util.List;
import java.util.Optional;

/**
 * A global secondary index: its name and its key attributes (a partition key, optionally a sort key).
 * Key attributes are strings in every item that has them; the stores refuse anything else so that DynamoDB
 * and the embedded store accept the same items.
 */
public record SecondaryIndex(String name, List<String> keyAttributes) {

    public SecondaryIndex {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{3,255}")) {
            throw new IllegalArgumentException("index name '" + name + "' must be 3-255 characters of [A-Za-z0-9_.-] (DynamoDB's rule)");
        }
        keyAttributes = List.copyOf(keyAttributes);
        if (keyAttributes.isEmpty() || keyAttributes.size() > 2) {
            throw new IllegalArgumentException("index " + name + " needs one or two key attributes (partition key, optional sort key), got " + keyAttributes);
        }
        for (String attribute : keyAttributes) {
            TableDefinition.requireAttributeName(attribute, "index " + name);
        }
    }

    public static SecondaryIndex of(String name, String partitionKey) {
        return new SecondaryIndex(name, List.of(partitionKey));
    }

    public static SecondaryIndex of(String name, String partitionKey, String sortKey) {
        return new SecondaryIndex(name, List.of(partitionKey, sortKey));
    }

    public String partitionKey() {
        return keyAttributes.getFirst();
    }

    public Optional<String> sortKey() {
        return keyAttributes.size() == 2 ? Optional.of(keyAttributes.get(1)) : Optional.empty();
    }
}
