package io.strata.mesh.cluster;

import io.strata.sdk.FileDownloader;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlanFile;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the model plans a node is asked to serve from paths or URLs. A remote plan is fetched
 * into the cache first. A local plan whose artifacts moved with it (a file: artifact_url that no
 * longer exists, the file beside the plan) is pointed at the files beside it.
 */
final class PlanSources {
    private PlanSources() {
    }

    static List<ModelPlan> read(List<String> sources, Path cacheDir, FileDownloader downloader) throws IOException {
        List<ModelPlan> out = new ArrayList<>();
        for (String source : sources) {
            out.add(read(source, cacheDir, downloader));
        }
        return out;
    }

    static ModelPlan read(String source, Path cacheDir, FileDownloader downloader) throws IOException {
        String scheme = scheme(source);
        Path file;
        if (scheme == null) {
            file = Path.of(source);
        } else if (scheme.equals("file")) {
            file = Path.of(URI.create(source));
        } else {
            String name = source.substring(source.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
            file = downloader.download(source, cacheDir.resolve("plans").resolve(name.isEmpty() ? "plan.json" : name), null);
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model plan " + source + " does not exist; give a *.plan.json path or URL"
                    + " (strata split writes one)");
        }
        ModelPlan plan = ModelPlanFile.read(file);
        return scheme == null || scheme.equals("file") ? withArtifactsBeside(plan, file) : plan;
    }

    private static ModelPlan withArtifactsBeside(ModelPlan plan, Path planFile) {
        List<ModelPlan.BlockSpec> blocks = new ArrayList<>();
        for (ModelPlan.BlockSpec b : plan.blocks()) {
            String url = b.artifactUrl();
            boolean missingLocal = url == null || (url.startsWith("file:") && !Files.isRegularFile(Path.of(URI.create(url))));
            Path beside = b.artifactFile() == null ? null : planFile.toAbsolutePath().resolveSibling(b.artifactFile());
            if (missingLocal && beside != null && Files.isRegularFile(beside)) {
                url = beside.toUri().toString();
            }
            blocks.add(new ModelPlan.BlockSpec(b.blockId(), b.rank(), b.worldSize(), b.firstLayer(), b.lastLayer(), url,
                    b.artifactFile(), b.modelLayerHash(), b.sha256(), b.bytes(), b.memoryBytes(), b.replicas(),
                    b.componentUri(), b.reused()));
        }
        return new ModelPlan(plan.planVersion(), plan.modelId(), plan.modelName(), plan.source(), plan.architecture(),
                plan.layers(), plan.strategy(), plan.contextTokens(), blocks, plan.vdag());
    }

    private static String scheme(String source) {
        int colon = source.indexOf(':');
        if (colon < 2) {
            return null; // none, or a Windows drive letter
        }
        String s = source.substring(0, colon).toLowerCase(Locale.ROOT);
        return s.matches("[a-z][a-z0-9+.-]*") && source.startsWith("//", colon + 1) || s.equals("file") ? s : null;
    }
}
