package io.strata.mesh.cluster;

import io.strata.mesh.artifacts.Stories260kPlan;
import io.strata.sdk.FileDownloader;
import io.strata.split.ModelPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanSourcesTest {
    @TempDir
    Path dir;

    @Test
    void aPlanMovedWithItsArtifactsPointsAtTheFilesBesideIt() throws IOException {
        Stories260kPlan.write(dir.resolve("made"), 2, new ModelPlan.Replicas(1, 1));
        Path moved = Files.move(dir.resolve("made"), dir.resolve("moved"));
        ModelPlan plan = PlanSources.read(Stories260kPlan.planFile(moved).toString(), dir, new FileDownloader());
        for (ModelPlan.BlockSpec b : plan.blocks()) {
            assertEquals(moved.resolve(b.artifactFile()).toUri().toString(), b.artifactUrl());
        }
    }

    @Test
    void aMissingPlanIsRefusedSayingWhatToGive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PlanSources.read(List.of(dir.resolve("nope.plan.json").toString()), dir, new FileDownloader()));
        assertTrue(e.getMessage().contains("nope.plan.json") && e.getMessage().contains("strata split"), e.getMessage());
    }
}
