package io.strata.mesh.node;

import io.strata.mesh.RoutingTable;
import io.strata.mesh.gateway.GatewayConfig;
import io.strata.mesh.membership.Eventually;
import io.strata.mesh.transport.Frame;
import io.strata.mesh.transport.PeerAddress;
import io.strata.mesh.transport.SessionOpen;
import io.strata.mesh.transport.WireDType;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Stages drop a session within seconds once its gateway is no longer a member, not after the idle timeout. */
class OrphanSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void sessionsOfAGatewayThatLeftTheClusterAreDroppedOnEveryStage() throws Exception {
        try (InProcessMesh mesh = new InProcessMesh(dir, 3, 3, new ModelPlan.Replicas(1, 1), GatewayConfig.defaults())) {
            MeshNode gateway = mesh.nodes.getFirst();
            RoutingTable.ModelRoute route = gateway.routingTable().models().get(InProcessMesh.MODEL);
            List<SessionOpen.Hop> path = new ArrayList<>();
            for (RoutingTable.StageRoute s : route.stages()) {
                RoutingTable.Endpoint e = s.replicas().getFirst();
                path.add(new SessionOpen.Hop(s.blockId(), e.nodeId(), e.host(), e.transportPort()));
            }
            SessionOpen open = new SessionOpen(InProcessMesh.MODEL, path, new SessionOpen.Hop("", gateway.nodeId(),
                    "127.0.0.1", gateway.transportPort()), 0, 1, 0, 16, 64, new int[0], WireDType.F32);
            gateway.transport().send(new PeerAddress(path.getFirst().host(), path.getFirst().port()),
                    Frame.open(77, 0, open)); // an open session waiting for its prompt, as a crashed gateway leaves it
            Eventually.await(WAIT, () -> mesh.nodes.stream().allMatch(n -> n.stages().sessionCount() == 1),
                    mesh::describe);

            // as every stage sees it once the gateway's node is expelled from the view
            mesh.nodes.forEach(n -> n.stages().members(id -> !id.equals(gateway.nodeId())));
            Eventually.await(WAIT, () -> mesh.nodes.stream().allMatch(n -> n.stages().sessionCount() == 0),
                    () -> mesh.nodes.stream().map(n -> n.nodeId() + "=" + n.stages().sessionCount()).toList());
        }
    }
}
