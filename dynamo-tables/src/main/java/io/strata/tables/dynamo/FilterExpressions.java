package io.strata.tables.dynamo;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.tables.InvalidQueryException;
import io.strata.tables.query.Filter;
import io.strata.tables.query.Path;

import java.util.ArrayList;
import java.util.List;

/**
 * Translates a {@link Filter} into a DynamoDB FilterExpression. The expression is exact where DynamoDB can say what
 * Mongo means, and otherwise a superset that the store narrows with {@code FilterMatcher}:
 * <ul>
 *   <li>equality with a string or number: {@code (#f = :v OR (attribute_type(#f, :L) AND contains(#f, :v)))} —
 *       exact; the type guard keeps {@code contains} from matching substrings of a string field;</li>
 *   <li>equality with a boolean, null, object or array: DynamoDB's {@code contains} takes only S, N and B, so list
 *       fields are let through for Java to decide;</li>
 *   <li>a dotted path may cross an array of objects (Mongo's rule), which DynamoDB cannot follow, so list-typed
 *       prefixes are let through too;</li>
 *   <li>a negation of an inexact part becomes "everything" (the negation of a superset is not a superset).</li>
 * </ul>
 */
public final class FilterExpressions {

    /** DynamoDB's limit on the length of one expression. */
    public static final int MAX_EXPRESSION_LENGTH = 4096;

    /** What a filter became: everything, nothing, or an expression; {@code exact} false means "Java decides". */
    public record Translation(Kind kind, String expression, boolean exact) {
        public enum Kind { ALL, NONE, SOME }

        static final Translation ALL_EXACT = new Translation(Kind.ALL, null, true);
        static final Translation ALL_INEXACT = new Translation(Kind.ALL, null, false);
        static final Translation NONE = new Translation(Kind.NONE, null, true);

        static Translation some(String expression, boolean exact) {
            return new Translation(Kind.SOME, expression, exact);
        }
    }

    private final Placeholders placeholders;
    private final boolean pathsMayCrossArrays;

    FilterExpressions(Placeholders placeholders) {
        this(placeholders, true);
    }

    /**
     * {@code pathsMayCrossArrays} false treats every dotted path as walking maps only, which makes dotted conditions
     * exact; tests use it on items without arrays on the way to check the expression text against Java's answer.
     */
    FilterExpressions(Placeholders placeholders, boolean pathsMayCrossArrays) {
        this.placeholders = placeholders;
        this.pathsMayCrossArrays = pathsMayCrossArrays;
    }

    /**
     * Refuses a filter whose whole expression would pass DynamoDB's 4 KB limit. Both stores call it, so a filter one
     * store accepts the other accepts too.
     */
    public static void requireFits(Filter filter) {
        Translation t = new FilterExpressions(new Placeholders()).translate(filter);
        if (t.kind() == Translation.Kind.SOME && t.expression().length() > MAX_EXPRESSION_LENGTH) {
            throw new InvalidQueryException("filter: too complex for DynamoDB (its expression would be "
                    + t.expression().length() + " characters, the limit is " + MAX_EXPRESSION_LENGTH
                    + "); use fewer conditions or shorter paths");
        }
    }

    Translation translate(Filter filter) {
        return switch (filter) {
            case Filter.And and -> and(and.all());
            case Filter.Or or -> or(or.any());
            case Filter.Not not -> not(translate(not.filter()));
            case Filter.Equals eq -> crossing(eq.path(), equality(eq.path(), List.of(eq.value())));
            case Filter.In in -> in.values().isEmpty() ? Translation.NONE : crossing(in.path(), equality(in.path(), in.values()));
            case Filter.Compare c -> crossing(c.path(), Translation.some(
                    placeholders.path(c.path()) + " " + c.op().symbol() + " " + placeholders.value(AttributeValues.of(c.value())), true));
            case Filter.Exists e -> e.present()
                    ? crossing(e.path(), Translation.some("attribute_exists(" + placeholders.path(e.path()) + ")", true))
                    // Not existing as a map path is a superset of "no array element has it", so no crossing terms.
                    : Translation.some("attribute_not_exists(" + placeholders.path(e.path()) + ")", exactPath(e.path()));
        };
    }

    private Translation and(List<Filter> all) {
        List<String> parts = new ArrayList<>();
        boolean exact = true;
        for (Filter f : all) {
            Translation t = translate(f);
            exact &= t.exact();
            switch (t.kind()) {
                case NONE -> {
                    return Translation.NONE;
                }
                case SOME -> parts.add(t.expression());
                case ALL -> { }
            }
        }
        if (parts.isEmpty()) {
            return exact ? Translation.ALL_EXACT : Translation.ALL_INEXACT;
        }
        return Translation.some(join(parts, " AND "), exact);
    }

    private Translation or(List<Filter> any) {
        List<String> parts = new ArrayList<>();
        boolean exact = true;
        boolean all = false;
        boolean allExact = false;
        for (Filter f : any) {
            Translation t = translate(f);
            switch (t.kind()) {
                case ALL -> {
                    all = true;
                    allExact |= t.exact();
                }
                case SOME -> {
                    parts.add(t.expression());
                    exact &= t.exact();
                }
                case NONE -> { }
            }
        }
        if (all) {
            return allExact ? Translation.ALL_EXACT : Translation.ALL_INEXACT;
        }
        if (parts.isEmpty()) {
            return Translation.NONE;
        }
        return Translation.some(join(parts, " OR "), exact);
    }

    private static Translation not(Translation t) {
        if (!t.exact()) {
            return Translation.ALL_INEXACT;
        }
        return switch (t.kind()) {
            case ALL -> Translation.NONE;
            case NONE -> Translation.ALL_EXACT;
            case SOME -> Translation.some("NOT " + parenthesized(t.expression()), true);
        };
    }

    /** Mongo equality with any of {@code values}, before path crossing is considered. */
    private Translation equality(Path path, List<JsonNode> values) {
        String p = placeholders.path(path);
        List<String> scalars = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        boolean exact = true;
        boolean listsLetThrough = false;
        for (JsonNode value : values) {
            if (value.isTextual() || value.isNumber()) {
                scalars.add(placeholders.value(AttributeValues.of(value)));
                continue;
            }
            exact = false;
            switch (value.getNodeType()) {
                case BOOLEAN -> parts.add(p + " = " + placeholders.value(AttributeValues.of(value)));
                case NULL -> {
                    parts.add("attribute_not_exists(" + p + ")");
                    parts.add("attribute_type(" + p + ", " + placeholders.type("NULL") + ")");
                }
                case OBJECT -> parts.add("attribute_type(" + p + ", " + placeholders.type("M") + ")");
                default -> { }
            }
            listsLetThrough = true;
        }
        if (!scalars.isEmpty()) {
            String list = placeholders.type("L");
            parts.addFirst(scalars.size() == 1
                    ? p + " = " + scalars.getFirst()
                    : p + " IN (" + String.join(", ", scalars) + ")");
            if (!listsLetThrough) {
                List<String> contains = scalars.stream().map(v -> "contains(" + p + ", " + v + ")").toList();
                parts.add("(attribute_type(" + p + ", " + list + ") AND " + join(contains, " OR ") + ")");
            }
        }
        if (listsLetThrough) {
            parts.add("attribute_type(" + p + ", " + placeholders.type("L") + ")");
        }
        return Translation.some(join(parts, " OR "), exact);
    }

    /** Adds "or a prefix of the path is a list" when the path may cross arrays of objects. */
    private Translation crossing(Path path, Translation t) {
        if (exactPath(path) || t.kind() != Translation.Kind.SOME) {
            return t;
        }
        List<String> parts = new ArrayList<>();
        parts.add(t.expression());
        for (int i = 1; i < path.length(); i++) {
            parts.add("attribute_type(" + placeholders.path(path.prefix(i)) + ", " + placeholders.type("L") + ")");
        }
        return Translation.some(join(parts, " OR "), false);
    }

    private boolean exactPath(Path path) {
        return path.length() == 1 || !pathsMayCrossArrays;
    }

    /** The expression in parentheses, unless it already is: DynamoDB refuses "((...))" as redundant. */
    private static String parenthesized(String expression) {
        if (expression.startsWith("(")) {
            int depth = 0;
            for (int i = 0; i < expression.length(); i++) {
                char c = expression.charAt(i);
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                if (depth == 0) {
                    if (i == expression.length() - 1) {
                        return expression;
                    }
                    break;
                }
            }
        }
        return "(" + expression + ")";
    }

    private static String join(List<String> parts, String operator) {
        return parts.size() == 1 ? parts.getFirst() : "(" + String.join(operator, parts) + ")";
    }
}
