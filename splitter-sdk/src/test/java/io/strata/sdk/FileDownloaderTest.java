package io.strata.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileDownloaderTest {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
    private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(10));

    @TempDir
    Path dir;

    private final byte[] model = new byte[(9 << 20) + 12345]; // a few chunks and a ragged end
    private final List<String> rangeHeaders = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    /** When positive, the next response claims the full length but goes silent after this many bytes. */
    private final AtomicInteger dropAfter = new AtomicInteger();
    /** A server without Range support answers 200 with the whole file. */
    private volatile boolean ignoreRanges;
    private HttpServer server;
    private String base;

    @BeforeEach
    void serveModel() throws IOException {
        new Random(42).nextBytes(model);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/model.gguf", this::serveWithRanges);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void serveWithRanges(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String range = exchange.getRequestHeaders().getFirst("Range");
        int from = 0;
        if (range != null) {
            rangeHeaders.add(range);
            Matcher m = RANGE.matcher(range);
            if (m.matches() && !ignoreRanges) {
                from = Integer.parseInt(m.group(1));
            }
        }
        int length = model.length - from;
        if (from > 0) {
            exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (model.length - 1) + "/" + model.length);
        }
        exchange.sendResponseHeaders(from > 0 ? 206 : 200, length);
        int cut = dropAfter.getAndSet(0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(model, from, cut > 0 ? cut : length);
            out.flush();
        } catch (IOException expectedWhenCut) {
            // closing a fixed-length body early fails here and leaves the client waiting: a silent connection
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void downloadsTheWholeFileIntoNewFoldersWithProgress() throws Exception {
        Path target = dir.resolve("a/b/model.gguf");
        List<long[]> progress = new ArrayList<>();

        Path result = new FileDownloader(FAST, null).download(base + "/models/model.gguf", target, sha256(model),
                (sofar, total) -> progress.add(new long[] {sofar, total}));

        assertEquals(target, result);
        assertArrayEquals(model, Files.readAllBytes(target));
        assertFalse(Files.exists(dir.resolve("a/b/model.gguf.partial")));
        assertTrue(rangeHeaders.isEmpty(), "a fresh download asks for the whole file: " + rangeHeaders);
        assertEquals(3, progress.size(), "9 MiB and a bit arrive in three 4 MiB chunks");
        assertArrayEquals(new long[] {model.length, model.length}, progress.getLast());
    }

    @Test
    void resumesFromAPartialFileWithARangeRequest() throws Exception {
        Path target = dir.resolve("model.gguf");
        int have = 5_000_001;
        Files.write(dir.resolve("model.gguf.partial"), Arrays.copyOf(model, have));

        new FileDownloader(FAST, null).download(base + "/models/model.gguf", target, sha256(model));

        assertEquals(List.of("bytes=" + have + "-"), rangeHeaders);
        assertArrayEquals(model, Files.readAllBytes(target));
    }

    @Test
    void aServerWithoutRangeSupportRestartsTheFileCleanly() throws Exception {
        Path target = dir.resolve("model.gguf");
        Files.write(dir.resolve("model.gguf.partial"), new byte[777_777]); // not a prefix of the model
        ignoreRanges = true;

        new FileDownloader(FAST, null).download(base + "/models/model.gguf", target, sha256(model));

        assertEquals(1, rangeHeaders.size(), "it did ask to resume");
        assertArrayEquals(model, Files.readAllBytes(target));
    }

    @Test
    void aStalledConnectionIsAbandonedAndResumedWhereItBroke() throws Exception {
        Path target = dir.resolve("model.gguf");
        dropAfter.set(3_000_000);

        new FileDownloader(FAST, null, Duration.ofMillis(500)).download(base + "/models/model.gguf", target, sha256(model));

        assertArrayEquals(model, Files.readAllBytes(target));
        assertEquals(2, requests.get());
        assertEquals(1, rangeHeaders.size(), "the second request resumes: " + rangeHeaders);
        assertEquals("bytes=3000000-", rangeHeaders.getFirst(), "every byte that arrived is kept");
    }

    @Test
    void checksumMismatchIsRefusedAndLeavesNoFile() {
        Path target = dir.resolve("model.gguf");
        String wrong = "0".repeat(64);

        IOException e = assertThrows(IOException.class,
                () -> new FileDownloader(FAST, null).download(base + "/models/model.gguf", target, wrong));

        assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains(wrong), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(dir.resolve("model.gguf.partial")));
    }

    @Test
    void notFoundIsAClearErrorAndIsNotRetried() {
        Path target = dir.resolve("missing.gguf");

        IOException e = assertThrows(IOException.class,
                () -> new FileDownloader(FAST, null).download(base + "/models/missing.gguf", target, null));

        assertTrue(e.getMessage().contains("404") && e.getMessage().contains("/models/missing.gguf"), e.getMessage());
        assertEquals(1, requests.get());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(dir.resolve("missing.gguf.partial")));
    }

    @Test
    void copiesFileUrls() throws Exception {
        Path source = Files.write(dir.resolve("source.bin"), model);
        Path target = dir.resolve("copy/model.gguf");

        new FileDownloader(FAST, null).download(source.toUri().toString(), target, sha256(model));

        assertArrayEquals(model, Files.readAllBytes(target));
    }

    @Test
    void missingFileUrlNamesTheFile() {
        Path source = dir.resolve("nowhere.bin");
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> new FileDownloader(FAST, null).download(source.toUri().toString(), dir.resolve("t"), null));
        assertTrue(e.getMessage().contains("nowhere.bin"), e.getMessage());
    }

    @Test
    void aTargetThatAlreadyMatchesIsNotFetchedAgain() throws Exception {
        Path target = Files.write(dir.resolve("model.gguf"), model);

        new FileDownloader(FAST, null).download(base + "/models/model.gguf", target, sha256(model));

        assertEquals(0, requests.get());
    }

    @Test
    void unsupportedSchemesAndMalformedHashesAreRefused() {
        FileDownloader downloader = new FileDownloader(FAST, null);
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class,
                () -> downloader.download("ftp://example.org/model.gguf", dir.resolve("m"), null));
        assertTrue(scheme.getMessage().contains("ftp://example.org/model.gguf"), scheme.getMessage());
        IllegalArgumentException hash = assertThrows(IllegalArgumentException.class,
                () -> downloader.download(base + "/models/model.gguf", dir.resolve("m"), "abc"));
        assertTrue(hash.getMessage().contains("64 hex digits"), hash.getMessage());
        assertNull(dir.resolve("m").toFile().listFiles());
    }
}
