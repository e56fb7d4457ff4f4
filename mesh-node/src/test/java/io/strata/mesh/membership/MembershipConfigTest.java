package io.strata.mesh.membership;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MembershipConfigTest {
    @Test
    void peersAreReadInBothSpellings() {
        MembershipConfig c = MembershipConfig.tcp("m", "a", "127.0.0.1", 7800, List.of("10.0.0.5:7800", "node-b[7801]"));
        assertEquals("10.0.0.5", c.peerAddresses().get(0).getHostString());
        assertEquals(7801, c.peerAddresses().get(1).getPort());
    }

    @Test
    void aPeerWithoutAPortIsRefusedWithTheExpectedForm() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MembershipConfig.tcp("m", "a", "127.0.0.1", 7800, List.of("10.0.0.5")));
        assertTrue(e.getMessage().contains("host:port"), e.getMessage());
    }

    @Test
    void aShortSecretIsRefusedAndTheSecretIsNeverPrinted() {
        MembershipConfig open = MembershipConfig.tcp("m", "a", "127.0.0.1", 7800, List.of());
        assertThrows(IllegalArgumentException.class, () -> open.withSecret("short"));
        String printed = open.withSecret("a long enough secret").toString();
        assertFalse(printed.contains("a long enough secret"), printed);
        assertTrue(printed.contains("secret=set"), printed);
    }

    @Test
    void aWildcardBindAddressIsRefusedBecausePeersCouldNotReachIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MembershipConfig.tcp("m", "a", "0.0.0.0", 7800, List.of()));
        assertTrue(e.getMessage().contains("wildcard"), e.getMessage());
    }
}
