package io.strata.mesh.artifacts;

import com.sun.net.httpserver.HttpServer;
import io.strata.sdk.FileDownloader;
import io.strata.sdk.LayerHash;
import io.strata.sdk.RetryPolicy;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlan.BlockSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArtifactStoreTest {
    @TempDir
    Path dir;

    private ModelPlan plan;
    private ArtifactStore store;

    @BeforeEach
    void split() throws IOException {
        plan = Stories260kPlan.write(dir.resolve("plan"), 3, new ModelPlan.Replicas(1, 1));
        store = new ArtifactStore(dir.resolve("cache"), new FileDownloader(RetryPolicy.NONE, null));
    }

    private static BlockSpec at(BlockSpec b, String url) {
        return new BlockSpec(b.blockId(), b.rank(), b.worldSize(), b.firstLayer(), b.lastLayer(), url, b.artifactFile(),
                b.modelLayerHash(), b.sha256(), b.bytes(), b.memoryBytes(), b.replicas(), b.componentUri(), b.reused());
    }

    private Path copyOf(BlockSpec b, String name) throws IOException {
        Path original = Path.of(java.net.URI.create(b.artifactUrl()));
        return Files.copy(original, dir.resolve(name));
    }

    @Test
    void aGoodArtifactLoadsAndIsTheSplitItsBlockSays() throws IOException {
        BlockSpec middle = plan.blocks().get(1);
        try (LoadedBlock loaded = store.load(plan.modelId(), middle)) {
            assertEquals(middle.blockId(), loaded.blockId());
            assertEquals(middle.firstLayer(), loaded.model().splitPlace().orElseThrow().firstLayer());
            assertEquals(middle.lastLayer(), loaded.model().splitPlace().orElseThrow().endLayer());
        }
    }

    @Test
    void aTamperedArtifactIsRefusedNamingTheBlockAndBothHashes() throws IOException {
        BlockSpec b = plan.blocks().get(1);
        Path tampered = copyOf(b, "tampered.gguf");
        try (FileChannel ch = FileChannel.open(tampered, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = ch.size() / 2;
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
            ch.write(one, at);
        }
        String actualSha = LayerHash.sha256(tampered);
        String actualMd5 = LayerHash.md5(tampered);
        ArtifactRejectedException e = assertThrows(ArtifactRejectedException.class,
                () -> store.load(plan.modelId(), at(b, tampered.toUri().toString())));
        assertEquals(b.blockId(), e.blockId());
        for (String expected : new String[]{b.blockId(), b.sha256(), actualSha, b.modelLayerHash(), actualMd5,
                "does not match its hashes"}) {
            assertTrue(e.getMessage().contains(expected), "missing " + expected + " in: " + e.getMessage());
        }
    }

    @Test
    void aTruncatedArtifactIsRefused() throws IOException {
        BlockSpec b = plan.blocks().get(2);
        Path truncated = copyOf(b, "truncated.gguf");
        try (FileChannel ch = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 1000);
        }
        ArtifactRejectedException e = assertThrows(ArtifactRejectedException.class,
                () -> store.load(plan.modelId(), at(b, truncated.toUri().toString())));
        assertTrue(e.getMessage().contains("is truncated"), e.getMessage());
        assertTrue(e.getMessage().contains(b.sha256()) && e.getMessage().contains(LayerHash.sha256(truncated)),
                e.getMessage());
    }

    @Test
    void anArtifactOfAnotherStageIsRefusedEvenWithMatchingHashes() {
        BlockSpec first = plan.blocks().get(0);
        BlockSpec second = plan.blocks().get(1);
        // block 1's place, block 0's file and hashes: the hashes pass, the split place does not
        BlockSpec mixed = new BlockSpec(second.blockId(), second.rank(), second.worldSize(), second.firstLayer(),
                second.lastLayer(), first.artifactUrl(), first.artifactFile(), first.modelLayerHash(), first.sha256(),
                first.bytes(), second.memoryBytes(), second.replicas(), second.componentUri(), false);
        ArtifactRejectedException e = assertThrows(ArtifactRejectedException.class,
                () -> store.load(plan.modelId(), mixed));
        assertTrue(e.getMessage().contains("stage 0 of 3") && e.getMessage().contains("stage 1 of 3"), e.getMessage());
    }

    @Test
    void overHttpAGoodArtifactIsCachedAndABadOneIsDeletedFromTheCache() throws IOException {
        BlockSpec b = plan.blocks().get(0);
        Path good = Path.of(java.net.URI.create(b.artifactUrl()));
        Path bad = copyOf(b, "bad.gguf");
        Files.write(bad, new byte[]{1, 2, 3}, StandardOpenOption.APPEND);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Path file = exchange.getRequestURI().getPath().endsWith("bad") ? bad : good;
            exchange.sendResponseHeaders(200, Files.size(file));
            try (OutputStream out = exchange.getResponseBody()) {
                Files.copy(file, out);
            }
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Path cached = store.fetch(at(b, base + "/good"));
            assertTrue(cached.startsWith(store.cacheDir()), cached.toString());
            assertEquals(b.sha256(), LayerHash.sha256(cached));

            BlockSpec other = at(b, base + "/bad");
            Files.delete(cached);
            ArtifactRejectedException e = assertThrows(ArtifactRejectedException.class, () -> store.fetch(other));
            assertTrue(e.getMessage().contains("is longer than expected"), e.getMessage());
            assertFalse(Files.exists(cached), "a refused download does not stay in the cache");
        } finally {
            server.stop(0);
        }
    }
}
