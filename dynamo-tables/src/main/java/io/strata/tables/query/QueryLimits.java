package io.strata.tables.query;

/** How large a filter or update may be; past these the parsers answer 400 instead of doing unbounded work. */
public final class QueryLimits {

    /** Segments in a dotted path (DynamoDB nests 32 levels). */
    public static final int MAX_PATH_SEGMENTS = 32;
    public static final int MAX_SEGMENT_LENGTH = 255;
    /** Nesting of {@code $and}/{@code $or}. */
    public static final int MAX_FILTER_DEPTH = 8;
    /** Conditions in one filter, each {@code $in}/{@code $nin} value counting as one. */
    public static final int MAX_FILTER_CONDITIONS = 64;
    /** Serialized size of a filter. */
    public static final int MAX_FILTER_BYTES = 64 * 1024;
    /** Paths one update may name. */
    public static final int MAX_UPDATE_PATHS = 64;
    /** Serialized size of an update (an item may not outgrow its own limit anyway). */
    public static final int MAX_UPDATE_BYTES = 256 * 1024;

    private QueryLimits() {
    }
}
