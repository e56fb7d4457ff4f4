package io.strata.sdk;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Uploads split artifacts to S3 and downloads them back (the seed's S3Manager).
 *
 * <p>Files above the multipart threshold (16 MiB) go up in 8 MiB parts read straight from
 * disk, so a multi-gigabyte split never sits in memory; smaller files are one PUT. Downloads
 * land in a temporary sibling and are renamed into place, so a failed one leaves no half file.
 * Like the seed, {@link #uploadFile} and {@link #downloadFile} log and return false on failure;
 * the {@code OrThrow} variants raise an IOException naming the object and the reason.
 *
 * <p>Checksums are only sent where S3 requires them: the S3 emulators (s3rver, older
 * LocalStack) reject the SDK's default trailing checksums, and artifact integrity is checked
 * end to end by the SHA-256 in the model plan.
 */
public final class S3Manager implements AutoCloseable {
    public static final long DEFAULT_MULTIPART_THRESHOLD = 16L << 20;
    public static final long DEFAULT_PART_SIZE = 8L << 20;
    /** S3's own floor for every part but the last. */
    public static final long MIN_PART_SIZE = 5L << 20;
    private static final int COPY_BUFFER = 4 << 20;
    private static final System.Logger LOG = System.getLogger(S3Manager.class.getName());

    private final S3Client s3;
    private long multipartThreshold = DEFAULT_MULTIPART_THRESHOLD;
    private long partSize = DEFAULT_PART_SIZE;

    public S3Manager(String accessKeyId, String secretAccessKey) {
        this(accessKeyId, secretAccessKey, "us-east-1");
    }

    public S3Manager(String accessKeyId, String secretAccessKey, String region) {
        this(basicCredentials(accessKeyId, secretAccessKey), region, null);
    }

    /**
     * For an S3-compatible endpoint (s3rver, LocalStack, MinIO): path-style addressing and no
     * chunked payload signing, which those servers do not all understand.
     */
    public S3Manager(String accessKeyId, String secretAccessKey, String region, URI endpoint) {
        this(basicCredentials(accessKeyId, secretAccessKey), region,
                SplitterContext.requireHttpUrl("S3 endpoint", endpoint));
    }

    private S3Manager(AwsCredentials credentials, String region, URI endpoint) {
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("an S3 region is needed, e.g. us-east-1");
        }
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofMinutes(2))
                        .build())
                .credentialsProvider(StaticCredentialsProvider.create(credentials))
                .region(Region.of(region.strip()))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (endpoint != null) {
            builder.endpointOverride(endpoint)
                    .serviceConfiguration(S3Configuration.builder()
                            .pathStyleAccessEnabled(true)
                            .chunkedEncodingEnabled(false)
                            .build());
        }
        this.s3 = builder.build();
    }

    /**
     * From the standard AWS variables: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optional
     * AWS_SESSION_TOKEN, AWS_REGION (or AWS_DEFAULT_REGION, else us-east-1), and optional
     * AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for an S3-compatible server.
     */
    public static S3Manager fromEnvironment(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set to reach S3");
        }
        String token = env.get("AWS_SESSION_TOKEN");
        AwsCredentials credentials = token == null || token.isBlank()
                ? AwsBasicCredentials.create(id.strip(), secret.strip())
                : AwsSessionCredentials.create(id.strip(), secret.strip(), token.strip());
        String region = firstSet(env, "AWS_REGION", "AWS_DEFAULT_REGION");
        String endpoint = firstSet(env, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
        return new S3Manager(credentials, region == null ? "us-east-1" : region,
                endpoint == null ? null : SplitterContext.requireHttpUrl("AWS_ENDPOINT_URL", URI.create(endpoint.strip())));
    }

    /** Sets when uploads switch to multipart and how big the parts are; returns this. */
    public S3Manager multipart(long thresholdBytes, long partBytes) {
        if (partBytes < MIN_PART_SIZE) {
            throw new IllegalArgumentException("S3 parts must be at least " + MIN_PART_SIZE + " bytes (5 MiB), got " + partBytes);
        }
        if (thresholdBytes < 0) {
            throw new IllegalArgumentException("the multipart threshold must be zero or more, got " + thresholdBytes);
        }
        this.multipartThreshold = thresholdBytes;
        this.partSize = partBytes;
        return this;
    }

    /** Uploads {@code file} to s3://bucket/key; false (and a logged reason) on failure. */
    public boolean uploadFile(Path file, String bucket, String key) {
        try {
            uploadFileOrThrow(file, bucket, key);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
            return false;
        }
    }

    /** Downloads s3://bucket/key to {@code destination}; false (and a logged reason) on failure. */
    public boolean downloadFile(String bucket, String key, Path destination) {
        try {
            downloadFileOrThrow(bucket, key, destination);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
            return false;
        }
    }

    public void uploadFileOrThrow(Path file, String bucket, String key) throws IOException {
        String object = objectName(bucket, key);
        if (!Files.isRegularFile(file)) {
            throw new IOException("upload to " + object + " failed: " + file + " is not a file");
        }
        long size = Files.size(file);
        try {
            if (size > multipartThreshold) {
                uploadInParts(file, size, bucket, key);
            } else {
                s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentLength(size).build(),
                        RequestBody.fromFile(file));
            }
            LOG.log(System.Logger.Level.INFO, "uploaded " + file + " (" + size + " bytes) to " + object);
        } catch (SdkException | UncheckedIOException e) {
            throw new IOException("upload of " + file + " to " + object + " failed: " + RegistryHttp.describe(e), e);
        }
    }

    public void downloadFileOrThrow(String bucket, String key, Path destination) throws IOException {
        String object = objectName(bucket, key);
        Path parent = destination.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path temp = destination.resolveSibling(destination.getFileName() + ".s3-download");
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(
                GetObjectRequest.builder().bucket(bucket).key(key).build());
             OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[COPY_BUFFER];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (SdkException | IOException e) {
            Files.deleteIfExists(temp);
            throw new IOException("download of " + object + " to " + destination + " failed: "
                    + RegistryHttp.describe(e), e);
        }
        FileDownloader.moveIntoPlace(temp, destination);
        LOG.log(System.Logger.Level.INFO, "downloaded " + object + " to " + destination);
    }

    private void uploadInParts(Path file, long size, String bucket, String key) {
        String uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder()
                .bucket(bucket).key(key).build()).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < size; offset += partSize, number++) {
                long length = Math.min(partSize, size - offset);
                long from = offset;
                // A provider, not bytes: the SDK may read the part twice (signing, retries) and it stays on disk.
                RequestBody body = RequestBody.fromContentProvider(() -> openRange(file, from, length), length,
                        "application/octet-stream");
                String etag = s3.uploadPart(UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                        .partNumber(number).contentLength(length).build(), body).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
            s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(bucket).key(key)
                    .uploadId(uploadId).multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()).build());
        } catch (SdkException | UncheckedIOException e) {
            try {
                s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(key)
                        .uploadId(uploadId).build());
            } catch (SdkException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    private static InputStream openRange(Path file, long offset, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(offset);
            return new java.io.BufferedInputStream(new BoundedInputStream(Channels.newInputStream(channel), length),
                    1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read part at offset " + offset, e);
        }
    }

    private static String objectName(String bucket, String key) {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("an S3 bucket name is needed");
        }
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("an S3 object key is needed for bucket " + bucket);
        }
        return "s3://" + bucket + "/" + key;
    }

    private static AwsCredentials basicCredentials(String id, String secret) {
        if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("S3 needs an access key id and a secret access key");
        }
        return AwsBasicCredentials.create(id, secret);
    }

    private static String firstSet(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return null;
    }

    @Override
    public void close() {
        s3.close();
    }

    /** Reads at most {@code remaining} bytes of the underlying stream: one part of a file. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(buffer, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
