package io.strata.mesh.node;

import io.strata.engine.LocalPipeline;
import io.strata.engine.SamplingParams;
import io.strata.mesh.gateway.GatewayConfig;
import io.strata.mesh.gateway.GenerationOutcome;
import io.strata.mesh.gateway.GenerationSpec;
import io.strata.mesh.pipeline.StageStats;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sampling at temperature 0.9 survives a failover: the replayed session draws step k's token with
 * the same (seed, k) key, so the stream after the failure is the one an uninterrupted run gives.
 * The crash here is the data plane of a middle-stage node going away (its connections drop)
 * while the node stays in the cluster, so the routing table still lists it and the gateway must
 * leave it out by itself.
 */
class SampledFailoverTest {
    @TempDir
    Path dir;

    @Test
    void aSampledGenerationContinuesWithTheSameTokensAfterItsMiddleStageDies() throws Exception {
        try (InProcessMesh mesh = new InProcessMesh(dir, 3, 4, new ModelPlan.Replicas(1, 1),
                GatewayConfig.defaults().withStallTimeout(Duration.ofSeconds(5)), 1, new ModelPlan.Replicas(2, 2))) {
            int[] prompt = {1, 403, 407, 261, 378};
            SamplingParams sampling = new SamplingParams(0.9f, 0.95f, 11);
            int[] expected;
            try (LocalPipeline local = LocalPipeline.open(mesh.planFile, null)) {
                expected = local.generator().generate(prompt, 150, sampling, null).tokens();
            }
            MeshNode gateway = mesh.nodes.stream().filter(n -> n.blocks().stream()
                    .allMatch(b -> b.block().rank() != 1)).findFirst().orElseThrow();
            MeshNode[] crashed = {null};
            int[] seen = {0};
            GenerationOutcome out = gateway.client().generate(new GenerationSpec(InProcessMesh.MODEL, prompt, 150, 0.9f,
                    0.95f, 11, new int[]{2}, GenerationSpec.capacityFor(prompt.length, 150, 2048)), token -> {
                if (++seen[0] == 15) {
                    crashed[0] = middleNodeOfTheRunningSession(mesh);
                    crashed[0].transport().close();
                }
                return true;
            });
            assertNotNull(crashed[0]);
            assertArrayEquals(expected, out.tokens(), "the same tokens as one process with the same seed");
            assertEquals(1, out.recoveries().size(), out.recoveries().toString());
            assertTrue(out.recoveries().getFirst().failedNodes().contains(crashed[0].nodeId()));
            assertTrue(!out.path().contains(crashed[0].nodeId()), out.path().toString());
            assertEquals(1, gateway.metrics().failovers());
        }
    }

    private static MeshNode middleNodeOfTheRunningSession(InProcessMesh mesh) {
        for (MeshNode n : mesh.nodes) {
            for (StageStats s : n.stages().stats()) {
                if (s.stageIndex() == 1 && s.sessions() > 0) {
                    return n;
                }
            }
        }
        throw new AssertionError("no middle-stage node holds the session");
    }
}
