package io.strata.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches a model or artifact to a local file (the seed's FileDownloader) from http(s),
 * {@code file:} or {@code s3://bucket/key} URLs.
 *
 * <p>Bytes go to {@code target + ".partial"} in 4 MiB chunks and are renamed onto the target
 * only when complete (and, when a SHA-256 is given, verified), so the target is never a half
 * file. An interrupted HTTP download keeps its .partial: the next attempt (a retry here, or a
 * later call) asks for the rest with a Range request and appends when the server answers 206,
 * or starts over when it answers 200. A resumed file is only as trustworthy as the server's
 * consistency, which is why the expected SHA-256 should be given whenever it is known.
 * Failures throw an IOException naming the URL and the reason (the seed returned false).
 */
public final class FileDownloader {
    public static final int CHUNK_BYTES = 4 << 20;
    public static final String PARTIAL_SUFFIX = ".partial";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final System.Logger LOG = System.getLogger(FileDownloader.class.getName());

    /** Told after every chunk: bytes in the file so far, and the full size or -1 when the server did not say. */
    @FunctionalInterface
    public interface Progress {
        void update(long bytesSoFar, long totalBytes);

        Progress NONE = (bytesSoFar, totalBytes) -> { };
    }

    private final RetryPolicy retry;
    private final S3Manager s3;
    private final HttpClient http;

    /** Default retries; s3:// URLs use credentials from the AWS_* environment variables. */
    public FileDownloader() {
        this(RetryPolicy.DEFAULT, null);
    }

    /** @param s3 the S3 connection for s3:// URLs, or null to build one from the AWS_* environment variables */
    public FileDownloader(RetryPolicy retry, S3Manager s3) {
        this.retry = retry;
        this.s3 = s3;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    public Path download(String url, Path target, String expectedSha256OrNull) throws IOException {
        return download(url, target, expectedSha256OrNull, Progress.NONE);
    }

    /** Downloads {@code url} to {@code target}, creating its folders; returns the target. */
    public Path download(String url, Path target, String expectedSha256OrNull, Progress progress) throws IOException {
        String expected = checkedSha256(expectedSha256OrNull);
        URI uri = parse(url);
        Progress listener = progress == null ? Progress.NONE : progress;
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (expected != null && Files.isRegularFile(target) && expected.equals(LayerHash.sha256(target))) {
            LOG.log(System.Logger.Level.INFO, target + " already holds " + url + " (SHA-256 matches)");
            return target;
        }
        Path partial = target.resolveSibling(target.getFileName() + PARTIAL_SUFFIX);
        String actual = switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
            case "http", "https" -> fetchHttp(uri, partial, expected != null, listener);
            case "file" -> copyFile(uri, partial, expected != null, listener);
            case "s3" -> fetchS3(uri, partial, expected != null, listener);
            default -> throw new IllegalArgumentException("cannot download " + url
                    + ": Strata fetches http(s)://, file: and s3://bucket/key URLs");
        };
        if (expected != null && !expected.equals(actual)) {
            Files.deleteIfExists(partial);
            throw new IOException(url + ": the download's SHA-256 is " + actual + " but " + expected
                    + " was expected, so it was deleted — is the URL or the expected hash out of date?");
        }
        moveIntoPlace(partial, target);
        LOG.log(System.Logger.Level.INFO, "downloaded " + url + " to " + target);
        return target;
    }

    /** Atomic rename where the file system allows it, so readers see the old file or the new one, never half. */
    static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A failure worth another attempt; the .partial file is kept for it to resume from. */
    private static final class Retryable extends IOException {
        Retryable(String message) {
            super(message);
        }
    }

    private String fetchHttp(URI uri, Path partial, boolean hash, Progress progress) throws IOException {
        String last = null;
        for (int attempt = 1; attempt <= retry.attempts(); attempt++) {
            if (attempt > 1) {
                retry.sleepAfter(attempt - 1);
                LOG.log(System.Logger.Level.INFO, "GET " + uri + ": attempt " + attempt + " after: " + last);
            }
            try {
                return fetchHttpOnce(uri, partial, hash, progress);
            } catch (Retryable e) {
                last = e.getMessage();
            }
        }
        throw new IOException("GET " + uri + ": gave up after " + retry.attempts() + " tries, last: " + last
                + " — the partial download is kept in " + partial + " and the next call resumes it");
    }

    private String fetchHttpOnce(URI uri, Path partial, boolean hash, Progress progress) throws IOException {
        long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(60));
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("GET " + uri + ": interrupted");
        } catch (IOException e) {
            throw new Retryable(RegistryHttp.describe(e));
        }
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            long total;
            boolean append;
            if (status == 206 && have > 0) {
                Matcher range = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (!range.matches() || Long.parseLong(range.group(1)) != have) {
                    Files.deleteIfExists(partial);
                    throw new Retryable("the server resumed at a different offset than " + have + " ("
                            + response.headers().firstValue("Content-Range").orElse("no Content-Range") + "); starting over");
                }
                total = range.group(3).equals("*") ? -1 : Long.parseLong(range.group(3));
                append = true;
            } else if (status == 200) {
                total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                append = false;
            } else if (status == 416 && have > 0) {
                // The .partial is not a prefix of this file any more (it changed, or it is complete but unverified).
                Files.deleteIfExists(partial);
                throw new Retryable("HTTP 416 for the rest of " + partial + "; starting over");
            } else if (status == 429 || status >= 500) {
                throw new Retryable("HTTP " + status);
            } else {
                throw new IOException("GET " + uri + " answered HTTP " + status + (status == 404
                        ? " Not Found — check the model_download_url" : "") + "; nothing was downloaded");
            }
            MessageDigest digest = hash ? LayerHash.newDigest("SHA-256") : null;
            if (append && digest != null) {
                digestExisting(partial, digest);
            }
            long written;
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                written = copy(body, out, digest, append ? have : 0, total, progress);
            } catch (IOException e) {
                throw new Retryable("the connection broke after " + (Files.size(partial)) + " bytes: "
                        + RegistryHttp.describe(e));
            }
            if (total >= 0 && written != total) {
                throw new Retryable("the connection closed at " + written + " of " + total + " bytes");
            }
            return digest == null ? null : HexFormat.of().formatHex(digest.digest());
        }
    }

    private static String copyFile(URI uri, Path partial, boolean hash, Progress progress) throws IOException {
        Path source;
        try {
            source = Path.of(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot download " + uri + ": a file: URL must be absolute, like file:///data/model.gguf");
        }
        if (!Files.isRegularFile(source)) {
            throw new NoSuchFileException(source.toString(), null, "no such file (from " + uri + ")");
        }
        MessageDigest digest = hash ? LayerHash.newDigest("SHA-256") : null;
        try (InputStream in = Files.newInputStream(source);
             FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            copy(in, out, digest, 0, Files.size(source), progress);
        }
        return digest == null ? null : HexFormat.of().formatHex(digest.digest());
    }

    private String fetchS3(URI uri, Path partial, boolean hash, Progress progress) throws IOException {
        String bucket = uri.getHost();
        String key = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (bucket == null || bucket.isBlank() || key.isBlank()) {
            throw new IllegalArgumentException("cannot download " + uri + ": an S3 URL looks like s3://bucket/key");
        }
        if (s3 != null) {
            s3.downloadFileOrThrow(bucket, key, partial);
        } else {
            try (S3Manager fromEnv = S3Manager.fromEnvironment(Map.copyOf(System.getenv()))) {
                fromEnv.downloadFileOrThrow(bucket, key, partial);
            }
        }
        long size = Files.size(partial);
        progress.update(size, size);
        return hash ? LayerHash.sha256(partial) : null;
    }

    /** Copies in 4 MiB chunks; returns the file's length afterwards. */
    private static long copy(InputStream in, FileChannel out, MessageDigest digest, long already, long total,
                             Progress progress) throws IOException {
        byte[] chunk = new byte[CHUNK_BYTES];
        long sofar = already;
        for (int n; (n = in.readNBytes(chunk, 0, chunk.length)) > 0; ) {
            ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            if (digest != null) {
                digest.update(chunk, 0, n);
            }
            sofar += n;
            progress.update(sofar, total);
        }
        return sofar;
    }

    private static void digestExisting(Path file, MessageDigest digest) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES);
            while (in.read(buffer) >= 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
        }
    }

    private static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("no URL to download from");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot download \"" + url + "\": not a URL (" + e.getMessage() + ")");
        }
        if (uri.getScheme() == null) {
            throw new IllegalArgumentException("cannot download \"" + url
                    + "\": no scheme — use http(s)://, file:/// or s3://bucket/key");
        }
        return uri;
    }

    private static String checkedSha256(String sha) {
        if (sha == null || sha.isBlank()) {
            return null;
        }
        if (!SHA256_HEX.matcher(sha.strip()).matches()) {
            throw new IllegalArgumentException("expected SHA-256 must be 64 hex digits, got \"" + sha + "\"");
        }
        return sha.strip().toLowerCase(Locale.ROOT);
    }
}
