package io.strata.mesh.membership;

import java.util.List;

/**
 * One JGroups view as node ids: the members in join order, oldest first, and the coordinator
 * (the oldest), who places blocks and publishes the routing table.
 *
 * @param id          JGroups' view number; increases with every change
 * @param members     node ids, oldest first
 * @param coordinator node id of the oldest member
 */
public record MeshView(long id, List<String> members, String coordinator) {
    public MeshView {
        members = List.copyOf(members);
    }

    public static MeshView none() {
        return new MeshView(-1, List.of(), null);
    }

    public boolean contains(String nodeId) {
        return members.contains(nodeId);
    }
}
