package io.strata.mesh.gateway;

import io.strata.mesh.pipeline.LatencyHistogram;
import io.strata.mesh.pipeline.StageStats;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's counters (tokens, requests, failovers and their recovery times) and the
 * Prometheus text of everything a node reports, its stages' figures included.
 */
public final class GatewayMetrics {
    /** Seconds the tokens-per-second gauge averages over. */
    static final int RATE_WINDOW = 10;

    private final LongAdder tokens = new LongAdder();
    private final AtomicLongArray perSecond = new AtomicLongArray(RATE_WINDOW + 1);
    private final AtomicLongArray secondOf = new AtomicLongArray(RATE_WINDOW + 1);
    private final LongAdder failovers = new LongAdder();
    private final LatencyHistogram recovery = new LatencyHistogram();
    private final LatencyHistogram firstToken = new LatencyHistogram();
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private volatile double lastRecoverySeconds = Double.NaN;

    void tokenGenerated() {
        tokens.increment();
        long second = System.nanoTime() / 1_000_000_000L;
        int slot = (int) (second % perSecond.length());
        if (secondOf.get(slot) != second) {
            synchronized (this) {
                if (secondOf.get(slot) != second) {
                    perSecond.set(slot, 0);
                    secondOf.set(slot, second);
                }
            }
        }
        perSecond.incrementAndGet(slot);
    }

    /** Tokens per second over the last {@value #RATE_WINDOW} whole seconds. */
    public double tokensPerSecond() {
        long now = System.nanoTime() / 1_000_000_000L;
        long sum = 0;
        for (int i = 0; i < perSecond.length(); i++) {
            long s = secondOf.get(i);
            if (s < now && s >= now - RATE_WINDOW) {
                sum += perSecond.get(i);
            }
        }
        return sum / (double) RATE_WINDOW;
    }

    void firstToken(long nanos) {
        firstToken.record(nanos);
    }

    void recovered(long nanos) {
        failovers.increment();
        recovery.record(nanos);
        lastRecoverySeconds = nanos / 1e9;
    }

    void request(String endpoint, int status) {
        requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
    }

    public long tokensGenerated() {
        return tokens.sum();
    }

    public long failovers() {
        return failovers.sum();
    }

    /** The Prometheus text for this node: gateway figures and every hosted stage's. */
    public String render(String nodeId, int gatewaySessions, List<StageStats> stages) {
        PrometheusText p = new PrometheusText();
        p.family("strata_tokens_generated_total", "counter", "Tokens streamed to clients by this gateway")
                .sample("strata_tokens_generated_total", tokens.sum(), "node", nodeId);
        p.family("strata_tokens_per_second", "gauge", "Tokens streamed per second, averaged over the last "
                        + RATE_WINDOW + " s")
                .sample("strata_tokens_per_second", tokensPerSecond(), "node", nodeId);
        p.family("strata_active_sessions", "gauge", "Generations this gateway is driving")
                .sample("strata_active_sessions", gatewaySessions, "node", nodeId);
        p.family("strata_requests_total", "counter", "HTTP requests by endpoint and status");
        new TreeMap<>(requests).forEach((k, v) -> {
            String[] parts = k.split("\u0000");
            p.sample("strata_requests_total", v.sum(), "node", nodeId, "endpoint", parts[0], "status", parts[1]);
        });
        p.family("strata_failovers_total", "counter", "Sessions moved to another replica after a stage failed")
                .sample("strata_failovers_total", failovers.sum(), "node", nodeId);
        p.family("strata_failover_last_recovery_seconds", "gauge",
                        "From detecting the last failure to the next token (NaN: none yet)")
                .sample("strata_failover_last_recovery_seconds", lastRecoverySeconds, "node", nodeId);
        p.histogram("strata_failover_recovery_seconds", "From detecting a stage failure to the next token",
                recovery.snapshot(), "node", nodeId);
        p.histogram("strata_time_to_first_token_seconds", "From a request to its first token", firstToken.snapshot(),
                "node", nodeId);

        p.family("strata_stage_sessions", "gauge", "Sessions open on a stage");
        p.family("strata_stage_queue_depth", "gauge", "Work items waiting for a stage's next forward pass");
        p.family("strata_stage_rows_total", "counter", "Token positions a stage has computed");
        p.family("strata_stage_batches_total", "counter", "Forward passes a stage has run (each over all waiting sessions)");
        p.family("strata_stage_sampled_total", "counter", "Tokens sampled by a last stage");
        for (StageStats s : stages) {
            String[] l = {"node", nodeId, "model", s.modelId(), "block", s.blockId(), "stage", String.valueOf(s.stageIndex())};
            p.sample("strata_stage_sessions", s.sessions(), l);
            p.sample("strata_stage_queue_depth", s.queueDepth(), l);
            p.sample("strata_stage_rows_total", s.rows(), l);
            p.sample("strata_stage_batches_total", s.batches(), l);
            p.sample("strata_stage_sampled_total", s.sampled(), l);
        }
        for (StageStats s : stages) {
            p.histogram("strata_stage_forward_seconds", "Time per forward pass of a stage (a whole batch)", s.forward(),
                    "node", nodeId, "model", s.modelId(), "block", s.blockId(), "stage", String.valueOf(s.stageIndex()));
        }
        for (StageStats s : stages) {
            p.histogram("strata_stage_queue_wait_seconds", "Time a work item waited for its forward pass", s.queueWait(),
                    "node", nodeId, "model", s.modelId(), "block", s.blockId(), "stage", String.valueOf(s.stageIndex()));
        }
        return p.toString();
    }
}
