package io.strata.functions.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.JsonBodies;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Keeps a split runner's kubeconfig (which holds cluster credentials) encrypted in the store: AES-256-GCM with a key
 * the store does not hold ({@code strata.kubeconfig-key}, e.g. from a secret manager, or a key file outside the data
 * directory), the runner's id bound in as associated data so a sealed kubeconfig cannot be moved to another record.
 */
public final class KubeconfigSeal {

    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String keyId;

    private KubeconfigSeal(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the kubeconfig key must be 32 bytes (base64 of 32 random bytes), got "
                    + key.length + " — make one with: head -c 32 /dev/urandom | base64");
        }
        this.key = new SecretKeySpec(key, "AES");
        try {
            this.keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The configured key (base64), else the key file, created with owner-only permissions when missing. */
    public static KubeconfigSeal of(Optional<String> base64Key, Path keyFile) {
        if (base64Key.isPresent()) {
            return new KubeconfigSeal(Base64.getDecoder().decode(base64Key.get().strip()));
        }
        try {
            if (!Files.exists(keyFile)) {
                Files.createDirectories(keyFile.toAbsolutePath().getParent());
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                try {
                    Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    Files.writeString(keyFile, Base64.getEncoder().encodeToString(fresh));
                } catch (FileAlreadyExistsException another) {
                    // another control plane on this machine made it first: use theirs
                }
            }
            return new KubeconfigSeal(Base64.getDecoder().decode(Files.readString(keyFile).strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the kubeconfig key file " + keyFile
                    + " — set strata.kubeconfig-key (STRATA_KUBECONFIG_KEY) instead", e);
        }
    }

    /** {@code {"alg", "key_id", "iv", "ciphertext"}} for the kubeconfig of runner {@code runnerId}. */
    public ObjectNode seal(ObjectNode kubeconfig, String runnerId) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, iv, runnerId, kubeconfig.toString().getBytes(StandardCharsets.UTF_8));
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("alg", "A256GCM");
        out.put("key_id", keyId);
        out.put("iv", Base64.getEncoder().encodeToString(iv));
        out.put("ciphertext", Base64.getEncoder().encodeToString(sealed));
        return out;
    }

    /** The kubeconfig back; a record sealed with another key, or tampered with, is an IllegalStateException. */
    public ObjectNode open(JsonNode sealed, String runnerId) {
        if (!keyId.equals(sealed.path("key_id").asText())) {
            throw new IllegalStateException("split runner " + runnerId + "'s kubeconfig was sealed with key "
                    + sealed.path("key_id").asText() + ", this control plane has key " + keyId + " (strata.kubeconfig-key)");
        }
        byte[] plain = crypt(Cipher.DECRYPT_MODE, Base64.getDecoder().decode(sealed.path("iv").asText()), runnerId,
                Base64.getDecoder().decode(sealed.path("ciphertext").asText()));
        try {
            return (ObjectNode) JsonBodies.mapper().readTree(plain);
        } catch (IOException e) {
            throw new IllegalStateException("split runner " + runnerId + "'s kubeconfig did not decrypt to JSON", e);
        }
    }

    private byte[] crypt(int mode, byte[] iv, String runnerId, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(runnerId.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("split runner " + runnerId + "'s kubeconfig could not be "
                    + (mode == Cipher.ENCRYPT_MODE ? "sealed" : "opened (wrong key or altered record)"), e);
        }
    }
}
