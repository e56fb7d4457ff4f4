package io.strata.mesh.gateway;

import io.strata.mesh.transport.WireDType;

import java.time.Duration;

/**
 * How a gateway drives sessions.
 *
 * @param wireDType         how hidden states travel between the stages of the sessions it opens
 * @param stallTimeout      no frame for this long (plus {@code perRowAllowance} per row being prefilled) means a
 *                          stage died or hangs: the gateway fails over
 * @param perRowAllowance   extra patience per prompt row sent at once, for long prefills on slow nodes
 * @param failoverWait      how long to wait for a routing table that routes around a failed node
 * @param maxFailovers      failovers per request before the gateway gives up with 503
 * @param suspectFor        how long a node that failed stays out of new paths (unless it is the only replica left)
 * @param prefillChunk      prompt tokens per TOKENS frame
 */
public record GatewayConfig(WireDType wireDType, Duration stallTimeout, Duration perRowAllowance, Duration failoverWait,
                            int maxFailovers, Duration suspectFor, int prefillChunk) {
    public GatewayConfig {
        if (!wireDType.carriesActivations()) {
            throw new IllegalArgumentException("hidden states travel as f32, f16, bf16 or q8, not " + wireDType);
        }
        if (maxFailovers < 0 || prefillChunk < 1) {
            throw new IllegalArgumentException("max failovers must be ≥ 0 and the prefill chunk ≥ 1");
        }
    }

    public static GatewayConfig defaults() {
        return new GatewayConfig(WireDType.F32, Duration.ofSeconds(10), Duration.ofMillis(20), Duration.ofSeconds(30),
                5, Duration.ofSeconds(30), 256);
    }

    public GatewayConfig withWireDType(WireDType dtype) {
        return new GatewayConfig(dtype, stallTimeout, perRowAllowance, failoverWait, maxFailovers, suspectFor,
                prefillChunk);
    }

    public GatewayConfig withStallTimeout(Duration timeout) {
        return new GatewayConfig(wireDType, timeout, perRowAllowance, failoverWait, maxFailovers, suspectFor,
                prefillChunk);
    }
}
