package io.strata.mesh.gateway;

import io.strata.mesh.transport.Frame;
import io.strata.mesh.transport.FrameError;
import io.strata.mesh.transport.PeerAddress;
import io.strata.mesh.transport.SessionOpen;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sessions this gateway has open, by id: the frames addressed to the gateway (sampled
 * tokens, errors) go to the inbox of their session. When the connection to a session's first
 * stage breaks, the session gets an ERROR naming that node, as if a stage had reported it.
 */
public final class GatewaySessions {
    /** One open session: where its frames go and which node it enters the mesh through. */
    record Entry(BlockingQueue<Frame> inbox, SessionOpen.Hop firstHop) {
    }

    private final Map<Long, Entry> open = new ConcurrentHashMap<>();

    /** Registers a new session entering through {@code firstHop}; returns its id (never 0). */
    long register(SessionOpen.Hop firstHop, BlockingQueue<Frame> inbox) {
        while (true) {
            long id = ThreadLocalRandom.current().nextLong();
            if (id != 0 && open.putIfAbsent(id, new Entry(inbox, firstHop)) == null) {
                return id;
            }
        }
    }

    void unregister(long id) {
        open.remove(id);
    }

    static BlockingQueue<Frame> newInbox() {
        return new LinkedBlockingQueue<>();
    }

    /** Hands a frame addressed to the gateway to its session; false when no session here has that id. */
    public boolean deliver(Frame f) {
        Entry e = open.get(f.sessionId());
        if (e == null) {
            return false;
        }
        e.inbox.add(f);
        return true;
    }

    /** The connection to {@code peer} broke: sessions entering there have lost their first stage. */
    public void onPeerLost(PeerAddress peer) {
        open.forEach((id, e) -> {
            if (e.firstHop.address().equals(peer)) {
                e.inbox.add(Frame.error(id, Frame.GATEWAY, new FrameError(FrameError.Code.PEER_LOST,
                        e.firstHop.nodeId(), "the connection to node " + e.firstHop.nodeId() + " (stage 0) at " + peer
                        + " broke")));
            }
        });
    }

    public int active() {
        return open.size();
    }
}
