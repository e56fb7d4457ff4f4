package io.strata.model.hf;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Follows symbolic links that were written out as plain files. Git does this where it cannot make
 * links (core.symlinks=false, some copies and archives): the link becomes a small text file holding
 * the relative target, such as {@code ../../tokenizers/llama3/tokenizer.json}. Model folders share
 * tokenizers and weights this way, so a file that is nothing but a relative path to an existing
 * file is read as that file. Anything else (a real JSON or safetensors file, an absolute path, a
 * target that does not exist) is left as it is, so the reader's own error names the original file.
 */
final class LinkPlaceholder {
    /** Git's link files hold one path; no real model file is this small. */
    private static final long MAX_BYTES = 1024;
    /** Links to links are followed this far, so a loop cannot hang the reader. */
    private static final int MAX_HOPS = 8;

    private LinkPlaceholder() {
    }

    /** {@code file}, or the file its placeholder names. */
    static Path resolve(Path file) {
        Path current = file;
        for (int hop = 0; hop < MAX_HOPS; hop++) {
            Path target = target(current);
            if (target == null) {
                return current;
            }
            current = target;
        }
        return current;
    }

    private static Path target(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES || Files.size(file) == 0) {
                return null;
            }
            String text = StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
            if (text.isBlank() || text.contains("\n") || text.contains("\r") || text.contains("\0")
                    || text.startsWith("/") || text.startsWith("{")) {
                return null;
            }
            Path parent = file.toAbsolutePath().getParent();
            Path target = parent.resolve(text).normalize();
            return Files.isRegularFile(target) ? target : null;
        } catch (CharacterCodingException | java.nio.file.InvalidPathException e) {
            return null;
        } catch (IOException e) {
            return null; // the reader opens the original and reports why it cannot
        }
    }
}
