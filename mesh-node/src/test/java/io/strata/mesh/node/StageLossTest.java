package io.strata.mesh.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.mesh.RoutingTable;
import io.strata.mesh.artifacts.LoadedBlock;
import io.strata.mesh.gateway.GatewayConfig;
import io.strata.mesh.gateway.GenerationOutcome;
import io.strata.mesh.gateway.GenerationSpec;
import io.strata.mesh.membership.Eventually;
import io.strata.model.TestModels;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three nodes each hold one stage of stories260K and no room for another. The node of the middle
 * stage leaves: the model is down, but the other two keep their blocks loaded (nothing is
 * unplaced); a node that joins takes the lost stage, and the model serves again with the
 * survivors' blocks where they were.
 */
class StageLossTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void losingEveryReplicaOfAStageKeepsTheOtherStagesLoadedAndTheModelReturnsWhenANodeJoins() throws Exception {
        try (InProcessMesh mesh = new InProcessMesh(dir, 3, 3, new ModelPlan.Replicas(1, 1), GatewayConfig.defaults())) {
            RoutingTable.ModelRoute route = mesh.nodes.getFirst().routingTable().models().get(InProcessMesh.MODEL);
            MeshNode victim = mesh.node(route.stages().get(1).replicas().getFirst().nodeId());
            String lostBlock = route.stages().get(1).blockId();
            mesh.stop(victim);
            List<MeshNode> survivors = List.copyOf(mesh.nodes);
            Map<String, List<String>> held = new HashMap<>();
            survivors.forEach(n -> held.put(n.nodeId(), blockIds(n)));

            // the coordinator's next decision marks the model down, naming the lost block
            Eventually.await(WAIT, () -> survivors.stream().allMatch(n -> n.routingTable().models()
                    .get(InProcessMesh.MODEL) == null && n.cluster().placement().refusals().stream()
                    .anyMatch(r -> r.blockId().equals(lostBlock))), mesh::describe);
            for (MeshNode n : survivors) {
                assertEquals(held.get(n.nodeId()), blockIds(n), n.nodeId() + " still serves its block");
                assertEquals(held.get(n.nodeId()), n.cluster().assignedBlocks().stream()
                        .map(ModelPlan.BlockSpec::blockId).sorted().toList(), n.nodeId() + " keeps it in the placement");
            }

            MeshNode newcomer = mesh.join("late");
            Eventually.await(WAIT, mesh::routed, mesh::describe);
            assertEquals(List.of(lostBlock), blockIds(newcomer), "the newcomer takes the lost stage");
            for (MeshNode n : survivors) {
                assertEquals(held.get(n.nodeId()), blockIds(n), n.nodeId() + " kept its block: no reshuffle");
            }

            JsonNode ref = new ObjectMapper().readTree(TestModels.referenceGreedy().toFile()).get("cases").get(1);
            int[] prompt = MeshGenerationTest.ints(ref.get("prompt_tokens"));
            int[] expected = MeshGenerationTest.ints(ref.get("generated_tokens"));
            GenerationOutcome out = newcomer.client().generate(new GenerationSpec(InProcessMesh.MODEL, prompt,
                    expected.length, 0, 1, 0, new int[]{2}, GenerationSpec.capacityFor(prompt.length, expected.length,
                    2048)), t -> true);
            assertArrayEquals(expected, out.tokens(), "the model serves again, exactly");
        }
    }

    private static List<String> blockIds(MeshNode n) {
        return n.blocks().stream().map(LoadedBlock::blockId).sorted().toList();
    }
}
