package io.strata.functions.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The per-task secret a split job proves itself with on {@code POST /task-status}: the launcher puts the token in the
 * job's environment ({@code STRATA_TASK_TOKEN}) and the task keeps only its SHA-256, so reading the store does not let
 * anyone update a task.
 */
public final class TaskTokens {

    /** The attribute of a task holding its token's digest; never shown, never queryable. */
    public static final String DIGEST_FIELD = "task_token_sha256";
    /** The header that carries the token on the REST path (the Funqy function takes a {@code task_token} field). */
    public static final String HEADER = "X-Strata-Task-Token";

    private static final SecureRandom RANDOM = new SecureRandom();

    private TaskTokens() {
    }

    /** 256 random bits, URL-safe base64. */
    public static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Whether {@code token} is the one whose digest the task holds, compared in constant time. */
    static boolean matches(String token, String storedDigest) {
        if (token == null || storedDigest == null) {
            return false;
        }
        return MessageDigest.isEqual(digest(token).getBytes(StandardCharsets.US_ASCII),
                storedDigest.getBytes(StandardCharsets.US_ASCII));
    }
}
