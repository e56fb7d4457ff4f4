package io.strata.mesh.cluster;

import io.strata.mesh.artifacts.LoadedBlock;

/**
 * Where the data plane plugs in: told to serve a block once its artifact is verified and opened,
 * and to stop when the block is taken away. A block is announced READY (and routed to) only
 * after {@link #load} returns; if it throws, the block is announced failed with the message.
 * Calls come one at a time, from the node's loader thread.
 */
public interface BlockHost {
    /** Start serving {@code block} (e.g. a stage server over its layers); return when it takes traffic. */
    void load(LoadedBlock block) throws Exception;

    /** Stop serving {@code blockId}; its artifact is closed after this returns. */
    void unload(String blockId);

    /** Holds blocks open and serves nothing: for nodes without a data plane, and tests. */
    BlockHost NONE = new BlockHost() {
        @Override
        public void load(LoadedBlock block) {
        }

        @Override
        public void unload(String blockId) {
        }
    };
}
