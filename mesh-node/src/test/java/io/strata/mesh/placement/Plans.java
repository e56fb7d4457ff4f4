package io.strata.mesh.placement;

import io.strata.mesh.NodeAnnouncement;
import io.strata.split.ModelPlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Small hand-made plans and nodes for placement tests: sizes in MiB, speeds in GB/s. */
final class Plans {
    static final long MIB = 1L << 20;

    private Plans() {
    }

    /** A model with one block per entry of {@code memoryMib}; each block's weights are 80% of its memory. */
    static ModelPlan model(String id, int min, int max, long... memoryMib) {
        List<ModelPlan.BlockSpec> blocks = new ArrayList<>();
        int n = memoryMib.length;
        for (int i = 0; i < n; i++) {
            String blockId = id + "-split-" + i + "-of-" + n;
            long mem = memoryMib[i] * MIB;
            blocks.add(new ModelPlan.BlockSpec(blockId, i, n, i * 2, i * 2 + 2, "file:///nowhere/" + blockId + ".gguf",
                    blockId + ".gguf", "md5-" + blockId, "sha-" + blockId, mem * 4 / 5, mem,
                    new ModelPlan.Replicas(min, max), "strata.transformer-stage:0.1.0", false));
        }
        return new ModelPlan(1, id, id, "test", "llama", n * 2, "even", 256, blocks,
                ModelPlan.VdagSpec.chain(id + "-vdag", blocks.stream().map(ModelPlan.BlockSpec::blockId).toList()));
    }

    static NodeAnnouncement node(String id, long memoryMib, double gbPerSecond) {
        return new NodeAnnouncement(id, "10.0.0." + Math.abs(id.hashCode() % 250), 7000, 8080, "cpu",
                memoryMib * MIB, gbPerSecond * 1e9, Set.of(), 1);
    }

    static NodeAnnouncement ready(NodeAnnouncement n, String... blocks) {
        return new NodeAnnouncement(n.nodeId(), n.host(), n.transportPort(), n.httpPort(), n.device(),
                n.freeMemoryBytes(), n.readBytesPerSecond(), Set.of(blocks), n.sequence() + 1);
    }
}
