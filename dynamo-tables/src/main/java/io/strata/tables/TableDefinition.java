package io.strata.tables;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One table of the control plane: the single source of truth that the stores, the Terraform generator and the
 * functions all read. Items are JSON objects; {@code partitionKey} names the string attribute that identifies an item.
 *
 * @param name         logical name; the physical table is {@code prefix + name} (see {@link #physicalName(String)})
 * @param partitionKey the key attribute, a non-empty string in every item
 * @param indexes      global secondary indexes, used by queries that pin their key attributes by equality
 * @param description  one line for people and for the generated Terraform
 */
public record TableDefinition(String name, String partitionKey, List<SecondaryIndex> indexes, String description) {

    public TableDefinition {
        if (name == null || !name.matches("[a-z0-9][a-z0-9_.-]{1,200}")) {
            throw new IllegalArgumentException("table name '" + name + "' must be 2-201 characters of [a-z0-9_.-], starting with a letter or digit");
        }
        requireAttributeName(partitionKey, "table " + name);
        indexes = List.copyOf(indexes);
        Set<String> names = new LinkedHashSet<>();
        for (SecondaryIndex index : indexes) {
            if (!names.add(index.name())) {
                throw new IllegalArgumentException("table " + name + " declares index " + index.name() + " twice");
            }
            if (index.keyAttributes().contains(partitionKey)) {
                throw new IllegalArgumentException("table " + name + ": index " + index.name() + " repeats the table's key " + partitionKey);
            }
        }
        description = description == null ? "" : description;
    }

    /** The table's name in DynamoDB or on disk, e.g. {@code "strata-" + "tasks"}. */
    public String physicalName(String prefix) {
        return (prefix == null ? "" : prefix) + name;
    }

    public Optional<SecondaryIndex> index(String indexName) {
        return indexes.stream().filter(i -> i.name().equals(indexName)).findFirst();
    }

    /** Every attribute that is a key of the table or of one of its indexes (these must be strings in items). */
    public Set<String> keyAttributes() {
        Set<String> all = new LinkedHashSet<>();
        all.add(partitionKey);
        for (SecondaryIndex index : indexes) {
            all.addAll(index.keyAttributes());
        }
        return all;
    }

    static void requireAttributeName(String attribute, String owner) {
        if (attribute == null || !attribute.matches("[A-Za-z0-9_-]{1,255}")) {
            throw new IllegalArgumentException(owner + ": key attribute '" + attribute + "' must be 1-255 characters of [A-Za-z0-9_-]");
        }
    }
}
