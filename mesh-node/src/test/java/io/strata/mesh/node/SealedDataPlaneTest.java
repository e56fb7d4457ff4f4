package io.strata.mesh.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.mesh.gateway.GatewayConfig;
import io.strata.mesh.gateway.GenerationOutcome;
import io.strata.mesh.gateway.GenerationSpec;
import io.strata.model.TestModels;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A mesh with a cluster secret: its data plane serves members and nobody else. */
class SealedDataPlaneTest {
    @TempDir
    static Path dir;
    static InProcessMesh mesh;

    @BeforeAll
    static void startMesh() throws Exception {
        mesh = new InProcessMesh(dir, 3, 3, new ModelPlan.Replicas(1, 1), GatewayConfig.defaults(),
                "correct horse battery staple");
    }

    @AfterAll
    static void stopMesh() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void membersGenerateTheReferenceTokensOverTheSealedTransport() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(TestModels.referenceGreedy().toFile()).get("cases").get(1);
        int[] prompt = MeshGenerationTest.ints(ref.get("prompt_tokens"));
        int[] expected = MeshGenerationTest.ints(ref.get("generated_tokens"));
        GenerationOutcome out = mesh.nodes.getLast().client().generate(new GenerationSpec(InProcessMesh.MODEL, prompt,
                expected.length, 0, 1, 0, new int[]{2}, GenerationSpec.capacityFor(prompt.length, expected.length, 2048)),
                t -> true);
        assertArrayEquals(expected, out.tokens());
        assertEquals(3, out.path().stream().distinct().count(), "three nodes on the path: " + out.path());
    }

    @Test
    void aRawClientThatIsNotAMemberCannotOpenASessionReadActivationsOrMakeANodeDialOut() throws Exception {
        StrangerProbe.Outcome o = StrangerProbe.probe(mesh.nodes.getFirst().routingTable().models().get(InProcessMesh.MODEL));
        assertEquals(List.of(), o.framesBack(), "a stranger gets no frame at all");
        assertFalse(o.dialled(), "no node connected to the address the stranger named");
        for (MeshNode n : mesh.nodes) {
            assertEquals(0, n.stages().sessionCount(), n.nodeId() + " opened a session for a stranger");
        }
    }
}
