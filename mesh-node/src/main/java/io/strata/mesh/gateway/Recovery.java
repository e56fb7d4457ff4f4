package io.strata.mesh.gateway;

import java.time.Duration;
import java.util.List;

/**
 * One failover of a generation.
 *
 * @param reason         what was detected (an ERROR from a stage, a broken connection, a stall)
 * @param failedNodes    the nodes left out of the new path
 * @param replayedTokens tokens sent again to rebuild the KV caches (prompt + generated so far)
 * @param newPath        node ids of the path the generation went on along
 * @param recovery       from detecting the failure to the next token arriving
 */
public record Recovery(String reason, List<String> failedNodes, int replayedTokens, List<String> newPath,
                       Duration recovery) {
}
