package io.strata.mesh;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mesh sees engines only through {@code io.strata.engine}: no backend class is named in its rooms. */
class BackendSeamTest {
    /** A name in a backend's package: {@code io.strata.engine.<sub>.…}, as an import or written out in code. */
    private static final Pattern BACKEND = Pattern.compile("io\\.strata\\.engine\\.([a-z][a-z0-9_]*)\\.");
    private static final Path MAIN = Path.of("src/main/java/io/strata/mesh");

    @Test
    void pipelineGatewayAndTransportNameNoBackendClass() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        for (String room : List.of("pipeline", "gateway", "transport")) {
            Path dir = MAIN.resolve(room);
            assertTrue(Files.isDirectory(dir), dir.toAbsolutePath() + " is missing: run the test from mesh-node");
            try (Stream<Path> sources = Files.walk(dir)) {
                for (Path p : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                    files++;
                    String text = Files.readString(p);
                    Matcher m = BACKEND.matcher(text);
                    while (m.find()) {
                        found.add(MAIN.relativize(p) + ": " + m.group());
                    }
                }
            }
        }
        assertTrue(files > 10, "expected the mesh's sources under " + MAIN.toAbsolutePath() + ", found " + files);
        assertEquals(List.of(), found, "backend classes named outside io.strata.engine's interface");
    }

    @Test
    void theScanSeesABackendNameWhereOneIsWritten() {
        assertTrue(BACKEND.matcher("import io.strata.engine.cpu.CpuStageEngine;").find());
        assertTrue(BACKEND.matcher("new io.strata.engine.gpu.GpuStage(m)").find());
        assertTrue(!BACKEND.matcher("import io.strata.engine.StageEngine;").find());
    }
}
