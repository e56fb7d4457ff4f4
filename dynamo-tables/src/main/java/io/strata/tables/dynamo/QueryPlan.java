package io.strata.tables.dynamo;

import io.strata.tables.SecondaryIndex;
import io.strata.tables.TableDefinition;
import io.strata.tables.query.Filter;
import io.strata.tables.query.Path;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a filter is read from DynamoDB: a Query on the table when the filter pins the key by string equality, a Query on
 * a secondary index when it pins all of that index's keys (an index with a sort key holds only items that have both,
 * so pinning the partition key alone is not enough), else a Scan. {@code residual} is what the key condition leaves.
 *
 * @param index         null for the table itself
 * @param keyConditions empty for a Scan
 */
record QueryPlan(String index, List<Filter.Equals> keyConditions, Filter residual) {

    boolean isScan() {
        return keyConditions.isEmpty();
    }

    /** Attributes a Query's FilterExpression may not name (DynamoDB wants them in the key condition only). */
    Set<String> keyAttributes() {
        Set<String> keys = new LinkedHashSet<>();
        keyConditions.forEach(eq -> keys.add(eq.path().first()));
        return keys;
    }

    static QueryPlan of(TableDefinition table, Filter filter) {
        List<Filter> conjuncts = new ArrayList<>();
        flatten(filter, conjuncts);
        Map<String, Filter.Equals> pinned = new LinkedHashMap<>();
        for (Filter f : conjuncts) {
            if (f instanceof Filter.Equals eq && eq.path().length() == 1 && eq.value().isTextual()
                    && !eq.value().textValue().isEmpty()) {
                pinned.putIfAbsent(eq.path().first(), eq);
            }
        }
        if (pinned.containsKey(table.partitionKey())) {
            return keyed(null, List.of(pinned.get(table.partitionKey())), conjuncts);
        }
        for (SecondaryIndex index : table.indexes()) {
            if (pinned.keySet().containsAll(index.keyAttributes())) {
                return keyed(index.name(), index.keyAttributes().stream().map(pinned::get).toList(), conjuncts);
            }
        }
        return new QueryPlan(null, List.of(), filter);
    }

    private static QueryPlan keyed(String index, List<Filter.Equals> keys, List<Filter> conjuncts) {
        List<Filter> rest = new ArrayList<>(conjuncts);
        rest.removeAll(keys);
        return new QueryPlan(index, keys, rest.size() == 1 ? rest.getFirst() : new Filter.And(rest));
    }

    private static void flatten(Filter filter, List<Filter> into) {
        if (filter instanceof Filter.And and) {
            and.all().forEach(f -> flatten(f, into));
        } else {
            into.add(filter);
        }
    }

    /** Whether any condition in {@code filter} reads one of {@code attributes} (by the first segment of its path). */
    static boolean reads(Filter filter, Set<String> attributes) {
        return switch (filter) {
            case Filter.And and -> and.all().stream().anyMatch(f -> reads(f, attributes));
            case Filter.Or or -> or.any().stream().anyMatch(f -> reads(f, attributes));
            case Filter.Not not -> reads(not.filter(), attributes);
            case Filter.Equals eq -> reads(eq.path(), attributes);
            case Filter.In in -> reads(in.path(), attributes);
            case Filter.Compare c -> reads(c.path(), attributes);
            case Filter.Exists e -> reads(e.path(), attributes);
        };
    }

    private static boolean reads(Path path, Set<String> attributes) {
        return attributes.contains(path.first());
    }
}
