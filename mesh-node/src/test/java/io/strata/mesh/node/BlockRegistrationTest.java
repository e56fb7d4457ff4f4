package io.strata.mesh.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.cli.ControlPlaneProcess;
import io.strata.mesh.gateway.GatewayConfig;
import io.strata.mesh.membership.Eventually;
import io.strata.sdk.Blocks;
import io.strata.sdk.RetryPolicy;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node given a control plane records the blocks it runs in the block DB, where the seed's
 * {@code Blocks.query(component_uri, layer_hash)} finds them with the node and its endpoint;
 * stopping the registration removes them. Against the real control plane (packaged jar, embedded
 * store) and stories260K served by one in-process node.
 */
class BlockRegistrationTest {

    @Test
    void aNodeRegistersTheBlocksItRunsAndRemovesThemWhenItStops(@TempDir Path dir) throws Exception {
        try (ControlPlaneProcess cp = ControlPlaneProcess.start(dir.resolve("control-plane"), dir.resolve("cp.log"), List.of());
             InProcessMesh mesh = new InProcessMesh(dir, 1, 1, new ModelPlan.Replicas(1, 1), GatewayConfig.defaults())) {
            MeshNode node = mesh.nodes.getFirst();
            ModelPlan.BlockSpec spec = mesh.plan.blocks().getFirst();
            Blocks blocks = new Blocks(URI.create(cp.baseUrl()), RetryPolicy.NONE);
            assertTrue(blocks.query(spec.componentUri(), spec.modelLayerHash()).isEmpty(), "nothing before the node registers");

            BlockRegistration registration = BlockRegistration.start(node, URI.create(cp.baseUrl()));
            Eventually.await(Duration.ofSeconds(30), () -> found(blocks, spec).size() == 1, () -> found(blocks, spec));
            JsonNode block = found(blocks, spec).getFirst();
            assertEquals(node.nodeId(), block.get("block_node").asText());
            assertEquals("http://127.0.0.1:" + node.httpPort(), block.get("block_endpoint").asText());
            assertEquals("127.0.0.1:" + node.transportPort(), block.get("block_transport").asText());
            assertEquals("ready", block.get("block_status").asText());
            assertEquals(spec.blockId(), block.get("block_plan_block_id").asText());
            assertTrue(block.get("block_expires_at_ms").asLong() > System.currentTimeMillis(), "a lease that ages out: " + block);

            registration.close();
            assertTrue(blocks.query(spec.componentUri(), spec.modelLayerHash()).isEmpty(), "a stopped node's blocks are gone");
        }
    }

    private static List<JsonNode> found(Blocks blocks, ModelPlan.BlockSpec spec) {
        try {
            return blocks.query(spec.componentUri(), spec.modelLayerHash());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
