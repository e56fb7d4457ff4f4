package io.strata.mesh.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.mesh.artifacts.LoadedBlock;
import io.strata.sdk.Blocks;
import io.strata.sdk.RetryPolicy;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Records in the control plane's block DB the blocks this node runs, so the seed's
 * {@code Blocks.query(component_uri, layer_hash)} finds running blocks: one record per loaded
 * block ({@code <node id>:<block id>}: node, endpoint, transport, layer hash, component URI,
 * status), put as a lease of {@link #TTL} and renewed every third of it. Blocks the node drops
 * are deleted, and so is every record when the node stops; a node that dies without stopping
 * ages out when its leases expire.
 */
public final class BlockRegistration implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BlockRegistration.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a record outlives the node's last renewal. */
    public static final Duration TTL = Duration.ofSeconds(30);

    private final Blocks blocks;
    private final String nodeId;
    private final String endpoint;
    private final String transport;
    private final Supplier<List<LoadedBlock>> loaded;
    private final Set<String> registered = new HashSet<>();
    private final ScheduledExecutorService timer;

    private BlockRegistration(Blocks blocks, String nodeId, String endpoint, String transport,
                              Supplier<List<LoadedBlock>> loaded) {
        this.blocks = blocks;
        this.nodeId = nodeId;
        this.endpoint = endpoint;
        this.transport = transport;
        this.loaded = loaded;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("strata-block-registration").factory());
    }

    /** Registers {@code node}'s blocks in the control plane at {@code controlPlane} now and every TTL/3. */
    public static BlockRegistration start(MeshNode node, URI controlPlane) {
        String host = node.cluster().config().advertiseHost();
        String bracketed = host.contains(":") ? "[" + host + "]" : host;
        BlockRegistration registration = new BlockRegistration(new Blocks(controlPlane, RetryPolicy.NONE), node.nodeId(),
                "http://" + bracketed + ":" + node.httpPort(), bracketed + ":" + node.transportPort(), node::blocks);
        registration.timer.scheduleWithFixedDelay(registration::renew, 0, TTL.toMillis() / 3, TimeUnit.MILLISECONDS);
        return registration;
    }

    /** One pass: put every loaded block, delete the records of blocks no longer loaded. */
    synchronized void renew() {
        Set<String> now = new HashSet<>();
        for (LoadedBlock block : loaded.get()) {
            String id = recordId(block.blockId());
            now.add(id);
            try {
                blocks.put(id, record(block));
                registered.add(id);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, nodeId + ": could not register block " + id + ": " + e.getMessage());
            }
        }
        for (String gone : Set.copyOf(registered)) {
            if (!now.contains(gone) && remove(gone)) {
                registered.remove(gone);
            }
        }
    }

    private ObjectNode record(LoadedBlock block) {
        ObjectNode record = JSON.createObjectNode();
        record.put("block_component_uri", block.block().componentUri());
        record.put("block_model_layer_hash", block.block().modelLayerHash());
        record.put("block_model_id", block.modelId());
        record.put("block_plan_block_id", block.blockId());
        record.put("block_node", nodeId);
        record.put("block_endpoint", endpoint);
        record.put("block_transport", transport);
        record.put("block_status", "ready");
        record.put("block_seen_at", Instant.now().toString());
        record.put("block_ttl_seconds", TTL.toSeconds());
        return record;
    }

    private String recordId(String blockId) {
        return (nodeId + ":" + blockId).replaceAll("[^A-Za-z0-9._~:@-]", "_");
    }

    private boolean remove(String id) {
        try {
            blocks.delete(id);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, nodeId + ": could not remove block " + id + ": " + e.getMessage());
            return false;
        }
    }

    /** Stops renewing and removes this node's records (those it cannot remove expire by themselves). */
    @Override
    public synchronized void close() {
        timer.shutdownNow();
        for (String id : registered) {
            remove(id);
        }
        registered.clear();
    }
}
