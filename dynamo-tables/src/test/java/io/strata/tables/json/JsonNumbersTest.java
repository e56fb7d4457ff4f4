package io.strata.tables.json;

import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import io.strata.tables.InvalidQueryException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonNumbersTest {

    @Test
    void integralValuesBecomeTheSmallestIntegerNode() {
        assertTrue(JsonNumbers.canonical(new BigDecimal("2.000"), "x").isInt());
        assertTrue(JsonNumbers.canonical(new BigDecimal("3000000000"), "x").isLong());
        assertTrue(JsonNumbers.canonical(new BigDecimal("1E+30"), "x").isBigInteger());
        assertEquals("1000000000000000000000000000000", JsonNumbers.canonical(new BigDecimal("1E+30"), "x").toString());
    }

    @Test
    void decimalsLoseOnlyTrailingZeros() {
        assertEquals(new BigDecimal("1.5"), JsonNumbers.canonical(new BigDecimal("1.500"), "x").decimalValue());
        assertEquals("0.1", JsonNumbers.value(DoubleNode.valueOf(0.1), "x").toPlainString());
        assertEquals("1.5", JsonNumbers.text(JsonNumbers.canonical(DecimalNode.valueOf(new BigDecimal("1.50")), "x")));
    }

    @Test
    void numbersPastDynamoDbsRangeOrPrecisionAreRefusedNamingWhere() {
        assertTrue(assertThrows(InvalidQueryException.class, () -> JsonNumbers.canonical(new BigDecimal("1E+126"), "meta.size"))
                .getMessage().startsWith("meta.size"));
        assertThrows(InvalidQueryException.class, () -> JsonNumbers.canonical(new BigDecimal("1E-131"), "x"));
        assertThrows(InvalidQueryException.class, () -> JsonNumbers.canonical(new BigDecimal("1." + "1".repeat(38)), "x"));
        assertThrows(InvalidQueryException.class, () -> JsonNumbers.value(DoubleNode.valueOf(Double.NaN), "x"));
        JsonNumbers.canonical(new BigDecimal("9.9999999999999999999999999999999999999E+125"), "x");
    }

    @Test
    void equalityComparesNumbersByValueAndObjectsInAnyOrder() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        assertTrue(JsonOrder.equal(mapper.readTree("{\"a\": 1, \"b\": [1.0, \"x\"]}"), mapper.readTree("{\"b\": [1, \"x\"], \"a\": 1.00}")));
        assertEquals(-1, Integer.signum(JsonOrder.compare(mapper.readTree("\"\\uffff\""), mapper.readTree("\"\\ud83d\\ude00\""))),
                "strings order by code point (UTF-8 bytes), not by UTF-16 units");
    }
}
