package io.strata.functions.launch;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.functions.api.ApiException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a split job on this machine may touch: it writes only under the launcher's work root and reads local files
 * ({@code file:} URLs and plain paths) only under the configured roots, so a request cannot make the control plane's
 * own process read {@code /etc/passwd} into a "model" or write splits over someone's files. Paths are compared after
 * resolving symbolic links, so a link inside a root cannot lead out of it.
 */
final class LocalJobPaths {

    private final Path workRoot;
    private final List<Path> fileRoots;

    LocalJobPaths(Path workRoot, List<Path> fileRoots) {
        this.workRoot = workRoot.toAbsolutePath().normalize();
        this.fileRoots = fileRoots.stream().map(root -> root.toAbsolutePath().normalize()).toList();
    }

    /** Refuses (400) task data whose local reads or writes leave their roots; nothing is touched. */
    void check(JsonNode taskData) {
        readable("task_data.model_download_url", taskData.path("model_download_url").asText());
        JsonNode config = taskData.path("model_split_config");
        if (config.hasNonNull("tokenizer_url")) {
            readable("task_data.model_split_config.tokenizer_url", config.get("tokenizer_url").asText());
        }
        if (config.hasNonNull("output_dir")) {
            writable("task_data.model_split_config.output_dir", config.get("output_dir").asText());
        }
    }

    private void readable(String field, String url) {
        Path path;
        if (url.startsWith("file:")) {
            try {
                path = Path.of(new URI(url));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw ApiException.badRequest("field " + field + " is not a usable file: URL (" + e.getMessage()
                        + "); write it as file:///absolute/path");
            }
        } else if (url.contains("://")) {
            return; // downloaded by the job into its own work directory
        } else {
            path = plainPath(field, url);
        }
        if (fileRoots.isEmpty()) {
            throw ApiException.badRequest("field " + field + " names a local file, and this control plane reads local files"
                    + " for split jobs from no folder: set strata.local-launcher.file-roots, or give an http(s) or s3 URL");
        }
        Path real = real(path);
        for (Path root : fileRoots) {
            if (real.startsWith(real(root))) {
                return;
            }
        }
        throw ApiException.badRequest("field " + field + " names " + path + ", which is outside the folders split jobs may"
                + " read (" + String.join(", ", fileRoots.stream().map(Path::toString).toList()) + ")");
    }

    private void writable(String field, String dir) {
        Path path = plainPath(field, dir);
        if (!real(path).startsWith(real(workRoot))) {
            throw ApiException.badRequest("field " + field + " must be a folder under " + workRoot + ", the local launcher's"
                    + " work root, got " + path);
        }
    }

    private static Path plainPath(String field, String text) {
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            throw ApiException.badRequest("field " + field + " is not a path: " + e.getMessage());
        }
        if (!path.isAbsolute()) {
            throw ApiException.badRequest("field " + field + " must be an absolute path, got \"" + text + "\"");
        }
        return path.normalize();
    }

    /** The path with every existing part's links resolved (the missing tail is kept as written). */
    private static Path real(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(path)).normalize();
        } catch (IOException e) {
            return path;
        }
    }
}
