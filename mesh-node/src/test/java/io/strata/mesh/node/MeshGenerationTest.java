package io.strata.mesh.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.GenerationResult;
import io.strata.engine.LocalPipeline;
import io.strata.engine.SamplingParams;
import io.strata.mesh.gateway.GatewayConfig;
import io.strata.mesh.gateway.GatewayMetrics;
import io.strata.mesh.gateway.PipelineClient;
import io.strata.mesh.gateway.RoutingView;
import io.strata.mesh.transport.FrameType;
import io.strata.mesh.transport.SessionOpen;
import io.strata.mesh.transport.WireDType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import io.strata.mesh.gateway.GenerationOutcome;
import io.strata.mesh.gateway.GenerationSpec;
import io.strata.model.TestModels;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three nodes in this JVM serve stories260K split in three: the mesh gives the tokens one process gives. */
class MeshGenerationTest {
    @TempDir
    static Path dir;
    static InProcessMesh mesh;

    @BeforeAll
    static void startMesh() throws Exception {
        mesh = new InProcessMesh(dir, 3, 3, new ModelPlan.Replicas(1, 1), GatewayConfig.defaults());
    }

    @AfterAll
    static void stopMesh() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void greedyGenerationAcrossThreeNodesReproducesTheReferenceTokens() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(TestModels.referenceGreedy().toFile()).get("cases").get(1);
        int[] prompt = ints(ref.get("prompt_tokens"));
        int[] expected = ints(ref.get("generated_tokens"));
        List<Integer> streamed = new ArrayList<>();
        GenerationOutcome out = mesh.nodes.getFirst().client().generate(new GenerationSpec(InProcessMesh.MODEL, prompt,
                expected.length, 0, 1, 0, new int[]{2}, GenerationSpec.capacityFor(prompt.length, expected.length, 2048)),
                t -> streamed.add(t));
        assertArrayEquals(expected, out.tokens());
        assertEquals(expected.length, streamed.size());
        assertEquals(GenerationOutcome.Finish.LENGTH, out.finish());
        assertEquals(3, out.path().stream().distinct().count(), "three nodes on the path: " + out.path());
    }

    @Test
    void concurrentSampledSessionsEachGetTheTokensOneProcessGives() throws Exception {
        int sessions = 6;
        int[] prompt = {1, 403, 407, 261, 378};
        List<int[]> expected = new ArrayList<>();
        try (LocalPipeline local = LocalPipeline.open(mesh.planFile, null)) {
            for (int i = 0; i < sessions; i++) {
                GenerationResult r = local.generator().generate(prompt, 40, new SamplingParams(0.9f, 0.9f, 100 + i), null);
                expected.add(r.tokens());
            }
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<GenerationOutcome>> runs = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                long seed = 100 + i;
                MeshNode gateway = mesh.nodes.get(i % mesh.nodes.size());
                runs.add(pool.submit(() -> gateway.client().generate(new GenerationSpec(InProcessMesh.MODEL, prompt, 40,
                        0.9f, 0.9f, seed, new int[]{2}, GenerationSpec.capacityFor(prompt.length, 40, 2048)), t -> true)));
            }
            for (int i = 0; i < sessions; i++) {
                assertArrayEquals(expected.get(i), runs.get(i).get().tokens(), "session with seed " + (100 + i));
            }
        }
        long batches = 0;
        long rows = 0;
        for (MeshNode n : mesh.nodes) {
            for (var s : n.stages().stats()) {
                batches += s.batches();
                rows += s.rows();
            }
        }
        assertTrue(rows > batches, "some forward passes served several sessions: " + rows + " rows in " + batches
                + " passes");
    }

    @ParameterizedTest
    @EnumSource(value = WireDType.class, names = {"F16", "BF16", "Q8"})
    void narrowWireTypesCarryTheHiddenStatesCloseEnoughForTheSameGreedyStart(WireDType wire) throws Exception {
        JsonNode ref = new ObjectMapper().readTree(TestModels.referenceGreedy().toFile()).get("cases").get(1);
        int[] prompt = ints(ref.get("prompt_tokens"));
        int[] expected = ints(ref.get("generated_tokens"));
        // a second gateway on a member (the transport dials members only), sending in the narrow type
        MeshNode member = mesh.nodes.getFirst();
        RoutingView routing = new RoutingView();
        routing.update(member.routingTable());
        PipelineClient client = new PipelineClient(member.nodeId(), new SessionOpen.Hop("", member.nodeId(), "127.0.0.1",
                member.transportPort()), member.transport(), member.transport(), member.gatewaySessions(), routing,
                GatewayConfig.defaults().withWireDType(wire), new GatewayMetrics());
        GenerationOutcome out = client.generate(new GenerationSpec(InProcessMesh.MODEL, prompt, 20, 0, 1, 0,
                new int[]{2}, GenerationSpec.capacityFor(prompt.length, 20, 2048)), t -> true);
        assertEquals(20, out.tokens().length);
        assertArrayEquals(Arrays.copyOf(expected, 5), Arrays.copyOf(out.tokens(), 5),
                wire + " rounding leaves the first greedy tokens as they are");
    }

    @Test
    void withoutASecretALoopbackStrangerGetsNoHiddenStateAndNoNodeDialsWhereItSays() throws Exception {
        StrangerProbe.Outcome o = StrangerProbe.probe(mesh.nodes.getFirst().routingTable().models().get(InProcessMesh.MODEL));
        assertTrue(o.framesBack().stream().allMatch(t -> t == FrameType.ERROR), "only errors come back: " + o.framesBack());
        assertFalse(o.dialled(), "no node connected to the address the stranger named as gateway and stage 1");
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
