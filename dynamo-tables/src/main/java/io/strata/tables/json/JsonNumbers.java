package io.strata.tables.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NumericNode;
import io.strata.tables.InvalidQueryException;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Numbers in the one form both stores keep: an integral value is an integer node (int, long or big integer), anything
 * else a decimal node without trailing zeros. DynamoDB trims trailing zeros ({@code 2.0} comes back as {@code 2}), so
 * the embedded store does the same; reading a double's shortest decimal text keeps {@code 0.1} as {@code 0.1}.
 */
public final class JsonNumbers {

    /** DynamoDB's number limits: 38 significant digits, magnitudes from 1E-130 to below 1E+126. */
    public static final int MAX_DIGITS = 38;
    private static final int MIN_EXPONENT = -130;
    private static final int MAX_EXPONENT = 125;

    private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private JsonNumbers() {
    }

    /** The exact value of a number node; {@code where} names it if it is NaN or infinite. */
    public static BigDecimal value(JsonNode number, String where) {
        if (!number.isNumber()) {
            throw new IllegalArgumentException(where + " is not a number");
        }
        if (number.isDouble() || number.isFloat()) {
            double d = number.doubleValue();
            if (!Double.isFinite(d)) {
                throw new InvalidQueryException(where + ": " + d + " is not a finite number");
            }
            // Double.toString is the shortest text that reads back to the same double: 0.1 stays 0.1.
            return new BigDecimal(Double.toString(d));
        }
        if (number.isBigDecimal()) {
            return number.decimalValue();
        }
        return new BigDecimal(number.bigIntegerValue());
    }

    /** The canonical node for a value, refused (naming {@code where}) when DynamoDB could not store it. */
    public static NumericNode canonical(BigDecimal value, String where) {
        BigDecimal v = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        if (v.signum() != 0) {
            if (v.precision() > MAX_DIGITS) {
                throw new InvalidQueryException(where + ": " + value + " has " + v.precision()
                        + " significant digits; at most " + MAX_DIGITS + " are kept");
            }
            int exponent = v.precision() - v.scale() - 1;
            if (exponent < MIN_EXPONENT || exponent > MAX_EXPONENT) {
                throw new InvalidQueryException(where + ": " + value + " is outside the storable range 1E-130 .. 9.99E+125");
            }
        }
        if (v.scale() > 0) {
            return DecimalNode.valueOf(v);
        }
        BigInteger i = v.toBigIntegerExact();
        if (i.compareTo(INT_MIN) >= 0 && i.compareTo(INT_MAX) <= 0) {
            return IntNode.valueOf(i.intValue());
        }
        if (i.compareTo(LONG_MIN) >= 0 && i.compareTo(LONG_MAX) <= 0) {
            return LongNode.valueOf(i.longValue());
        }
        return BigIntegerNode.valueOf(i);
    }

    public static NumericNode canonical(JsonNode number, String where) {
        return canonical(value(number, where), where);
    }

    /** The number's text for DynamoDB's N type (exact; exponent form where BigDecimal chooses it). */
    public static String text(JsonNode canonicalNumber) {
        return canonicalNumber.isBigDecimal() ? canonicalNumber.decimalValue().toString() : canonicalNumber.bigIntegerValue().toString();
    }
}
