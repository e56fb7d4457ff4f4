package io.strata.sdk;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** S3Manager against a real S3 emulator (npm s3rver) on loopback. */
class S3ManagerTest {
    private static final String BUCKET = "strata-test";
    @TempDir
    static Path serverData;
    private static S3rverProcess server;
    private static S3Manager s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEmulator() throws Exception {
        server = S3rverProcess.start(serverData, BUCKET);
        s3 = new S3Manager("S3RVER", "S3RVER", "us-east-1", server.endpoint());
    }

    @AfterAll
    static void stopEmulator() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private long partUploadsLogged(String key) {
        // s3rver logs each answered request as "<path>?<query> <status> <time> <size>".
        return server.log().stream().filter(l -> l.contains(key + "?partNumber=") && l.contains(" 200 ")).count();
    }

    @Test
    void smallFileGoesUpInOnePutAndComesBackIdentical() throws IOException {
        byte[] bytes = randomBytes(300_000, 1);
        Path file = Files.write(dir.resolve("small.bin"), bytes);

        assertTrue(s3.uploadFile(file, BUCKET, "models/small.bin"));
        Path back = dir.resolve("back/small.bin");
        assertTrue(s3.downloadFile(BUCKET, "models/small.bin", back));

        assertArrayEquals(bytes, Files.readAllBytes(back));
        assertEquals(0, partUploadsLogged("models/small.bin"), server.log().toString());
    }

    @Test
    void fileAboveTheThresholdGoesUpInEightMebibyteParts() throws IOException {
        int size = 20 * 1_000_000; // over the default 16 MiB threshold: parts of 8 MiB, 8 MiB and the rest
        byte[] bytes = randomBytes(size, 2);
        Path file = Files.write(dir.resolve("big.bin"), bytes);

        s3.uploadFileOrThrow(file, BUCKET, "models/big.bin");
        Path back = dir.resolve("big-back.bin");
        s3.downloadFileOrThrow(BUCKET, "models/big.bin", back);

        assertArrayEquals(bytes, Files.readAllBytes(back));
        assertEquals(3, partUploadsLogged("models/big.bin"), server.log().toString());
    }

    @Test
    void lowerThresholdSwitchesToMultipartSooner() throws IOException {
        byte[] bytes = randomBytes(11 << 20, 3);
        Path file = Files.write(dir.resolve("mid.bin"), bytes);
        try (S3Manager small = new S3Manager("S3RVER", "S3RVER", "us-east-1", server.endpoint())
                .multipart(6 << 20, S3Manager.MIN_PART_SIZE)) {
            small.uploadFileOrThrow(file, BUCKET, "mid.bin");
        }
        Path back = dir.resolve("mid-back.bin");
        s3.downloadFileOrThrow(BUCKET, "mid.bin", back);

        assertArrayEquals(bytes, Files.readAllBytes(back));
        assertEquals(3, partUploadsLogged("mid.bin"), server.log().toString());
    }

    @Test
    void missingObjectIsFalseOrAClearErrorAndLeavesNoFile() {
        Path target = dir.resolve("absent.bin");

        assertFalse(s3.downloadFile(BUCKET, "no/such/key.bin", target));
        IOException e = assertThrows(IOException.class, () -> s3.downloadFileOrThrow(BUCKET, "no/such/key.bin", target));

        assertTrue(e.getMessage().contains("s3://" + BUCKET + "/no/such/key.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("NoSuchKey") || e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(dir.resolve("absent.bin.s3-download")));
    }

    @Test
    void uploadOfAMissingFileIsRefusedWithItsName() {
        Path missing = dir.resolve("never-written.gguf");
        assertFalse(s3.uploadFile(missing, BUCKET, "x.gguf"));
        IOException e = assertThrows(IOException.class, () -> s3.uploadFileOrThrow(missing, BUCKET, "x.gguf"));
        assertTrue(e.getMessage().contains("never-written.gguf"), e.getMessage());
    }

    @Test
    void downloaderFetchesS3UrlsAndVerifiesTheirHash() throws IOException {
        byte[] bytes = randomBytes(1_234_567, 4);
        Path file = Files.write(dir.resolve("split-0.gguf"), bytes);
        s3.uploadFileOrThrow(file, BUCKET, "llama/split-0.gguf");
        String sha = LayerHash.sha256(file);

        Path target = dir.resolve("fetched/split-0.gguf");
        new FileDownloader(RetryPolicy.NONE, s3).download("s3://" + BUCKET + "/llama/split-0.gguf", target, sha);

        assertArrayEquals(bytes, Files.readAllBytes(target));
    }

    @Test
    void partsSmallerThanS3AllowsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s3.multipart(1 << 20, 1 << 20));
        assertTrue(e.getMessage().contains("5 MiB"), e.getMessage());
    }
}
