package io.strata.tables.json;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * Equality and order of JSON values as DynamoDB evaluates them: numbers by value, strings by code point (the order of
 * their UTF-8 bytes), objects regardless of field order, arrays element by element.
 */
public final class JsonOrder {

    private JsonOrder() {
    }

    /** Deep equality; a missing value ({@code null} reference) equals nothing. */
    public static boolean equal(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return false;
        }
        if (a.isNumber() && b.isNumber()) {
            return JsonNumbers.value(a, "value").compareTo(JsonNumbers.value(b, "value")) == 0;
        }
        if (a.getNodeType() != b.getNodeType()) {
            return false;
        }
        return switch (a.getNodeType()) {
            case OBJECT -> equalObjects(a, b);
            case ARRAY -> equalArrays(a, b);
            case STRING -> a.textValue().equals(b.textValue());
            case BOOLEAN -> a.booleanValue() == b.booleanValue();
            case NULL -> true;
            default -> a.equals(b);
        };
    }

    private static boolean equalObjects(JsonNode a, JsonNode b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> field : a.properties()) {
            if (!equal(field.getValue(), b.get(field.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalArrays(JsonNode a, JsonNode b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!equal(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The order of two numbers or two strings; {@code null} when they are not both numbers or both strings (DynamoDB
     * then answers "false" to every comparison).
     */
    public static Integer compare(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return null;
        }
        if (a.isNumber() && b.isNumber()) {
            return JsonNumbers.value(a, "value").compareTo(JsonNumbers.value(b, "value"));
        }
        if (a.isTextual() && b.isTextual()) {
            return compareCodePoints(a.textValue(), b.textValue());
        }
        return null;
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
