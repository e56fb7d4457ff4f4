package io.strata.mesh.artifacts;

/**
 * A block's artifact failed verification (size, SHA-256, MD5) or is not the split the plan says
 * (another layer range, another model), so it was not loaded. The message names the block, the
 * file, and both the expected and the actual values.
 */
public final class ArtifactRejectedException extends RuntimeException {
    private final String blockId;

    public ArtifactRejectedException(String blockId, String message) {
        super(message);
        this.blockId = blockId;
    }

    public String blockId() {
        return blockId;
    }
}
