package io.strata.mesh.cluster;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterConfigTest {
    @Test
    void theBuilderFillsTheMembershipPartAndHidesTheSecret() {
        ClusterConfig c = ClusterConfig.builder("mesh", "n1").bind("127.0.0.1", 7900).peers(List.of("127.0.0.1:7901"))
                .secret("a long shared secret").cacheDir(Path.of("/tmp/c")).heartbeat(Duration.ofSeconds(1), 3).build();
        assertEquals("127.0.0.1", c.advertiseHost(), "advertises the bind address unless told otherwise");
        assertEquals(7900, c.membership().bindPort());
        assertEquals(List.of("127.0.0.1:7901"), c.membership().peers());
        assertEquals(Duration.ofMillis(3500), c.staleAfter());
        assertFalse(c.toString().contains("a long shared secret"), c.toString());
        assertFalse(c.membership().toString().contains("a long shared secret"));
    }

    @Test
    void badValuesAreRefusedNamingTheNode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterConfig.builder("mesh", "n1").bind("127.0.0.1", 7900).memoryBytes(-1).build());
        assertTrue(e.getMessage().contains("node n1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ClusterConfig.builder("mesh", "n1").bind("127.0.0.1", 7900).peers(List.of("nohost")).build());
    }
}
