package io.strata.mesh.membership;

import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Event;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.logging.LogFactory;
import org.jgroups.stack.IpAddress;
import org.jgroups.util.NameCache;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * This node's seat in the mesh's JGroups cluster: joins it, multicasts small control messages
 * to every other member, and tells a listener about views and received messages. It knows
 * nothing of what the messages mean.
 *
 * <p>Members are named by node id (JGroups' logical name). The listener is called on JGroups'
 * threads and should hand work off rather than block.
 */
public final class MeshMembership implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MeshMembership.class.getName());

    static {
        // JGroups would pick up whichever SLF4J binding is on the class path (often none: silence);
        // its warnings (a stranger knocking, a failed decryption) belong in the node's own log
        LogFactory.useJdkLogger(true);
    }

    /** What the membership reports. */
    public interface Listener {
        void viewChanged(MeshView view);

        /** A message another member multicast; {@code fromNodeId} is its sender's node id. */
        void received(String fromNodeId, byte[] payload);
    }

    private final MembershipConfig config;
    private final Listener listener;
    private volatile JChannel channel;
    private volatile MeshView view = MeshView.none();

    public MeshMembership(MembershipConfig config, Listener listener) {
        this.config = config;
        this.listener = listener;
    }

    /**
     * Joins the cluster, or founds it when nobody answers within the join timeout.
     *
     * @throws MembershipException when the cluster refuses this node or the stack cannot start
     */
    public synchronized void start() {
        if (channel != null) {
            throw new IllegalStateException("node " + config.nodeId() + " has already joined " + config.clusterName());
        }
        ClusterSecret secret = config.secret() == null ? null
                : ClusterSecret.derive(config.secret(), config.clusterName());
        JChannel ch = null;
        try {
            ch = new JChannel(MeshStack.protocols(config, secret));
            // the probe port answers anyone who asks, outside the encryption: keep it shut
            ch.getProtocolStack().getTransport().getDiagnosticsHandler().setEnabled(false);
            ch.setName(config.nodeId());
            ch.setDiscardOwnMessages(true);
            ch.setReceiver(new Receiver() {
                @Override
                public void viewAccepted(View v) {
                    onView(v);
                }

                @Override
                public void receive(Message msg) {
                    String from = nameOf(msg.getSrc());
                    listener.received(from, msg.getArray() == null ? new byte[0] : copy(msg));
                }
            });
            channel = ch;
            ch.connect(config.clusterName());
            LOG.log(System.Logger.Level.INFO, config.nodeId() + " joined " + config.clusterName() + " at "
                    + boundAddress() + "; view " + view.members() + (secret == null ? " (no cluster secret: open and"
                    + " unencrypted)" : " (authenticated, encrypted)"));
        } catch (SecurityException e) {
            close(ch);
            throw new MembershipException("node " + config.nodeId() + " was refused by cluster " + config.clusterName()
                    + ": " + e.getMessage() + " — does every node use the same cluster secret?", e);
        } catch (Exception e) {
            close(ch);
            throw new MembershipException("node " + config.nodeId() + " cannot join cluster " + config.clusterName()
                    + " on " + config.bindAddress() + ":" + config.bindPort() + ": " + e.getMessage()
                    + " — is the port free and the address this machine's?", e);
        }
    }

    /** Multicasts {@code payload} to every other member (not to this node). */
    public void send(byte[] payload) {
        JChannel ch = channel;
        if (ch == null || !ch.isConnected()) {
            throw new IllegalStateException("node " + config.nodeId() + " is not in a cluster; start() it first");
        }
        try {
            ch.send(new BytesMessage(null, payload));
        } catch (Exception e) {
            throw new MembershipException("node " + config.nodeId() + " could not multicast to "
                    + config.clusterName() + ": " + e.getMessage(), e);
        }
    }

    public MeshView view() {
        return view;
    }

    public String nodeId() {
        return config.nodeId();
    }

    public boolean isCoordinator() {
        return config.nodeId().equals(view.coordinator());
    }

    public boolean running() {
        JChannel ch = channel;
        return ch != null && ch.isConnected();
    }

    /** The address and port the transport actually listens on (the port may differ with a port range). */
    public InetSocketAddress boundAddress() {
        JChannel ch = channel;
        if (ch == null) {
            return null;
        }
        Object a = ch.down(new Event(Event.GET_PHYSICAL_ADDRESS, ch.getAddress()));
        return a instanceof IpAddress ip ? new InetSocketAddress(ip.getIpAddress(), ip.getPort()) : null;
    }

    /** Leaves the cluster (the others see a clean leave, not a crash). */
    @Override
    public synchronized void close() {
        JChannel ch = channel;
        channel = null;
        close(ch);
        view = MeshView.none();
    }

    JChannel channel() {
        return channel;
    }

    private void onView(View v) {
        List<String> members = v.getMembers().stream().map(MeshMembership::nameOf).toList();
        Set<String> unique = new HashSet<>(members);
        if (unique.size() != members.size()) {
            LOG.log(System.Logger.Level.WARNING, "cluster " + config.clusterName() + " has two members with the same"
                    + " node id: " + members + " — give every node its own --node-id");
        }
        MeshView next = new MeshView(v.getViewId().getId(), members, nameOf(v.getCoord()));
        view = next;
        listener.viewChanged(next);
    }

    private static String nameOf(Address address) {
        if (address == null) {
            return null;
        }
        String name = NameCache.get(address);
        return name != null ? name : address.toString();
    }

    private static byte[] copy(Message msg) {
        byte[] out = new byte[msg.getLength()];
        System.arraycopy(msg.getArray(), msg.getOffset(), out, 0, out.length);
        return out;
    }

    private static void close(JChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the channel: " + e);
            }
        }
    }
}
