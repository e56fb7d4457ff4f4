package io.strata.mesh.node;

import io.strata.mesh.NodeAnnouncement;
import io.strata.mesh.cluster.ClusterNode;
import io.strata.mesh.membership.NodeStatus;
import io.strata.mesh.transport.PeerAddress;
import io.strata.mesh.transport.PeerAdmission;

import java.util.Optional;

/**
 * The transport's view of who is in the cluster: the members of the current view, and the
 * transport address each announced. Before the node has joined, nobody is admitted.
 */
final class MemberAdmission implements PeerAdmission {
    private volatile ClusterNode cluster;

    void joined(ClusterNode cluster) {
        this.cluster = cluster;
    }

    @Override
    public Optional<String> memberAt(PeerAddress address) {
        ClusterNode c = cluster;
        if (c == null) {
            return Optional.empty();
        }
        // every member of the view, heard from lately or not: a member busy enough to miss a
        // heartbeat is still a member (membership, not staleness, decides who is in)
        for (NodeStatus s : c.memberStatuses()) {
            NodeAnnouncement a = s.announcement();
            if (a.transportPort() == address.port() && a.host().equals(address.host())) {
                return Optional.of(a.nodeId());
            }
        }
        // the coordinator's routing table lists only members it heard: this node may receive the
        // table before a member's own announcement reaches it
        for (var model : c.routingTable().models().values()) {
            for (var stage : model.stages()) {
                for (var e : stage.replicas()) {
                    if (e.transportPort() == address.port() && e.host().equals(address.host())
                            && c.view().contains(e.nodeId())) {
                        return Optional.of(e.nodeId());
                    }
                }
            }
        }
        NodeAnnouncement self = c.status().announcement();
        return self.transportPort() == address.port() && self.host().equals(address.host())
                ? Optional.of(self.nodeId()) : Optional.empty();
    }

    @Override
    public boolean isMember(String nodeId) {
        ClusterNode c = cluster;
        return c != null && c.view().contains(nodeId);
    }
}
