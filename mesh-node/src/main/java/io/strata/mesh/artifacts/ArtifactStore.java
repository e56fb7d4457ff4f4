package io.strata.mesh.artifacts;

import io.strata.model.LoadedModel;
import io.strata.model.ModelFormatException;
import io.strata.model.ModelLoader;
import io.strata.model.SplitPlace;
import io.strata.sdk.FileDownloader;
import io.strata.split.ModelPlan.BlockSpec;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A node's artifact cache: fetches a block's artifact (http(s), s3 or file URL), verifies its
 * size, SHA-256 and MD5 against the block spec, and only then opens it and checks that it is the
 * split the spec says (model, stage, layer range). Nothing unverified is ever opened, and a
 * cached file is verified again before each use, so a corrupted cache is caught too.
 *
 * <p>Remote artifacts are downloaded into the cache as {@code <block id>-<sha256 prefix>.gguf};
 * a {@code file:} artifact is verified where it is rather than copied (splits are large, and the
 * operator already owns that disk). A file that fails verification in the cache is deleted.
 */
public final class ArtifactStore {
    private static final System.Logger LOG = System.getLogger(ArtifactStore.class.getName());

    private final Path cacheDir;
    private final FileDownloader downloader;

    public ArtifactStore(Path cacheDir) {
        this(cacheDir, new FileDownloader());
    }

    public ArtifactStore(Path cacheDir, FileDownloader downloader) {
        if (cacheDir == null) {
            throw new IllegalArgumentException("an artifact cache needs a folder (--cache-dir)");
        }
        this.cacheDir = cacheDir.toAbsolutePath();
        this.downloader = downloader;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * The verified artifact of {@code block} on this machine, fetched if needed.
     *
     * @throws ArtifactRejectedException when its size or hashes differ from the spec
     * @throws IOException               when it cannot be fetched
     */
    public Path fetch(BlockSpec block) throws IOException {
        requireHashes(block);
        URI uri = uri(block);
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            Path local;
            try {
                local = Path.of(uri);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("block " + block.blockId() + ": artifact_url " + block.artifactUrl()
                        + " is not an absolute file URL (like file:///data/x.gguf)");
            }
            if (!Files.isRegularFile(local)) {
                throw new IOException("block " + block.blockId() + ": artifact " + local + " does not exist (from "
                        + block.artifactUrl() + ")");
            }
            verify(block, local, false);
            return local;
        }
        Path target = cacheDir.resolve(cacheName(block));
        if (Files.isRegularFile(target)) {
            try {
                verify(block, target, true);
                LOG.log(System.Logger.Level.INFO, "block " + block.blockId() + ": using cached " + target);
                return target;
            } catch (ArtifactRejectedException e) {
                LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; fetching it again");
            }
        }
        Files.createDirectories(cacheDir);
        downloader.download(block.artifactUrl(), target, null);
        verify(block, target, true);
        return target;
    }

    /**
     * Fetches, verifies and opens {@code block}'s artifact and checks it is that split.
     *
     * @throws ArtifactRejectedException when verification fails or the artifact is another split
     * @throws IOException               when it cannot be fetched
     */
    public LoadedBlock load(String modelId, BlockSpec block) throws IOException {
        Path file = fetch(block);
        LoadedModel model;
        try {
            model = ModelLoader.open(file, null);
        } catch (ModelFormatException e) {
            throw new ArtifactRejectedException(block.blockId(), "block " + block.blockId() + ": artifact " + file
                    + " matches its hashes but cannot be opened: " + e.getMessage());
        }
        try {
            checkPlace(modelId, block, file, model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return new LoadedBlock(modelId, block, file, model);
    }

    private static void checkPlace(String modelId, BlockSpec block, Path file, LoadedModel model) {
        Optional<SplitPlace> place = model.splitPlace();
        String expected = "model " + modelId + " stage " + block.rank() + " of " + block.worldSize() + ", layers ["
                + block.firstLayer() + ", " + block.lastLayer() + ")";
        if (place.isEmpty()) {
            boolean wholeModel = block.worldSize() == 1 && block.firstLayer() == 0
                    && block.lastLayer() == model.config().layers();
            if (!wholeModel) {
                throw new ArtifactRejectedException(block.blockId(), "block " + block.blockId() + ": artifact " + file
                        + " is a whole model of " + model.config().layers() + " layers, not a split; the plan expects "
                        + expected);
            }
            return;
        }
        SplitPlace p = place.get();
        if (!p.modelId().equals(modelId) || p.index() != block.rank() || p.worldSize() != block.worldSize()
                || p.firstLayer() != block.firstLayer() || p.endLayer() != block.lastLayer()) {
            throw new ArtifactRejectedException(block.blockId(), "block " + block.blockId() + ": artifact " + file
                    + " holds model " + p.modelId() + " stage " + p.index() + " of " + p.worldSize() + ", layers ["
                    + p.firstLayer() + ", " + p.endLayer() + ") but the plan expects " + expected
                    + " — the plan and its artifacts are out of step; split the model again");
        }
    }

    private static void verify(BlockSpec block, Path file, boolean deleteOnMismatch) throws IOException {
        ArtifactDigest actual = ArtifactDigest.of(file);
        boolean sizeOk = block.bytes() <= 0 || actual.bytes() == block.bytes();
        boolean shaOk = actual.sha256().equalsIgnoreCase(block.sha256());
        boolean md5Ok = actual.md5().equalsIgnoreCase(block.modelLayerHash());
        if (sizeOk && shaOk && md5Ok) {
            return;
        }
        if (deleteOnMismatch) {
            Files.deleteIfExists(file);
        }
        String what = !sizeOk ? (actual.bytes() < block.bytes() ? "is truncated" : "is longer than expected")
                : "does not match its hashes";
        throw new ArtifactRejectedException(block.blockId(), "block " + block.blockId() + ": artifact " + file
                + " (from " + block.artifactUrl() + ") " + what + " and was refused, not loaded: expected "
                + block.bytes() + " bytes, SHA-256 " + block.sha256() + ", MD5 " + block.modelLayerHash()
                + "; got " + actual.bytes() + " bytes, SHA-256 " + actual.sha256() + ", MD5 " + actual.md5()
                + (deleteOnMismatch ? " (deleted from the cache)" : "")
                + " — re-upload the artifact or fix the plan's hashes");
    }

    private static void requireHashes(BlockSpec block) {
        if (block.sha256() == null || block.sha256().isBlank() || block.modelLayerHash() == null
                || block.modelLayerHash().isBlank()) {
            throw new ArtifactRejectedException(block.blockId(), "block " + block.blockId() + " has no sha256 or"
                    + " model_layer_hash in its plan; Strata loads only verified artifacts — re-create the plan with"
                    + " strata split");
        }
    }

    private static URI uri(BlockSpec block) {
        if (block.artifactUrl() == null || block.artifactUrl().isBlank()) {
            throw new IllegalArgumentException("block " + block.blockId() + " has no artifact_url in its plan");
        }
        try {
            URI uri = new URI(block.artifactUrl().strip());
            if (uri.getScheme() == null) {
                throw new IllegalArgumentException("block " + block.blockId() + ": artifact_url " + block.artifactUrl()
                        + " has no scheme; use http(s)://, s3://bucket/key or file:///path");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("block " + block.blockId() + ": artifact_url " + block.artifactUrl()
                    + " is not a URL (" + e.getMessage() + ")");
        }
    }

    /** Block ids come from plans: keep the file name to safe characters. */
    static String cacheName(BlockSpec block) {
        String safe = block.blockId().replaceAll("[^A-Za-z0-9._-]", "_");
        String sha = block.sha256().toLowerCase(Locale.ROOT).replaceAll("[^0-9a-f]", "");
        return safe + "-" + sha.substring(0, Math.min(16, sha.length())) + ".gguf";
    }
}
