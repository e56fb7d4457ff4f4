package io.strata.tables.dynamo;

import io.strata.tables.query.Path;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ExpressionAttributeNames ({@code #n0}) and ExpressionAttributeValues ({@code :v0}) of one request. Every
 * attribute name and value from a request goes through here, so expression text is made only of placeholders and
 * our own keywords: no input can change what an expression means.
 */
final class Placeholders {

    private static final Pattern TOKEN = Pattern.compile("[#:][nv][0-9]+");

    private final Map<String, String> names = new LinkedHashMap<>();
    private final Map<String, String> nameByAttribute = new HashMap<>();
    private final Map<String, AttributeValue> values = new LinkedHashMap<>();
    private final Map<String, String> typeByName = new HashMap<>();

    String name(String attribute) {
        return nameByAttribute.computeIfAbsent(attribute, a -> {
            String placeholder = "#n" + names.size();
            names.put(placeholder, a);
            return placeholder;
        });
    }

    /** A nested path: {@code #n0.#n1}, one placeholder per segment (a placeholder may not contain a dot). */
    String path(Path path) {
        StringBuilder text = new StringBuilder();
        for (String segment : path.segments()) {
            if (!text.isEmpty()) {
                text.append('.');
            }
            text.append(name(segment));
        }
        return text.toString();
    }

    String value(AttributeValue value) {
        String placeholder = ":v" + values.size();
        values.put(placeholder, value);
        return placeholder;
    }

    /** The operand of {@code attribute_type}, shared per type: "L", "M", "NULL", ... */
    String type(String dynamoType) {
        return typeByName.computeIfAbsent(dynamoType, t -> value(AttributeValue.fromS(t)));
    }

    /** Null when empty: DynamoDB refuses an empty map. */
    Map<String, String> names() {
        return names.isEmpty() ? null : Map.copyOf(names);
    }

    Map<String, AttributeValue> values() {
        return values.isEmpty() ? null : Map.copyOf(values);
    }

    /**
     * The placeholders that the final expressions use. A translation may allocate some for parts it later drops
     * (a branch that became "everything"), and DynamoDB refuses unused ones.
     */
    Placeholders usedBy(String... expressions) {
        Set<String> tokens = new HashSet<>();
        for (String expression : expressions) {
            if (expression != null) {
                Matcher m = TOKEN.matcher(expression);
                while (m.find()) {
                    tokens.add(m.group());
                }
            }
        }
        Placeholders used = new Placeholders();
        names.forEach((k, v) -> {
            if (tokens.contains(k)) {
                used.names.put(k, v);
            }
        });
        values.forEach((k, v) -> {
            if (tokens.contains(k)) {
                used.values.put(k, v);
            }
        });
        return used;
    }
}
