package io.strata.cli;

import io.strata.model.LoadedModel;
import io.strata.model.ModelLoader;
import io.strata.split.ByteSizes;
import io.strata.split.ModelFootprint;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlanFile;
import io.strata.split.NodeSpec;
import io.strata.split.SplitPlan;
import io.strata.split.SplitPlanner;
import io.strata.split.SplitStrategy;
import io.strata.split.SplitWriter;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code strata split}: plan a model's splits, write them as artifacts, and write the model plan. */
final class SplitCommand extends OptionsCommand {
    @Override
    public String name() {
        return "split";
    }

    @Override
    public String summary() {
        return "cut a model into layer-range split artifacts and write its model plan";
    }

    @Override
    Options options() {
        return new Options("strata split --model PATH (--stages N | --nodes LIST) [options]", """
                Plans contiguous layer ranges (even, memory-aware or throughput-aware), writes one
                self-contained GGUF artifact per split (tensors byte for byte, MD5 and SHA-256),
                and writes <model-id>.plan.json: one block per split and the vDAG wiring them.""")
                .value("model", "PATH", "model file or Hugging Face folder to split", null)
                .value("tokenizer", "PATH", "tokenizer file (llama2.c checkpoints)", null)
                .value("stages", "N", "number of splits (identical nodes)", null)
                .value("nodes", "LIST", "nodes as name:memory[:GB/s],... e.g. a:16g:40,b:8g:20", null)
                .value("strategy", "even|memory|throughput", "how layers are divided", "even")
                .value("context", "N", "context the KV-cache memory estimate is for", "2048")
                .value("out", "DIR", "where artifacts and the plan go", "splits/<model-id>")
                .value("model-id", "ID", "the model's id in the registry", "file name without extension")
                .value("replicas-min", "N", "minimum instances of each block", "1")
                .value("replicas-max", "N", "maximum instances of each block", "1")
                .flag("dry-run", "show the plan as a table and write nothing")
                .flag("json", "print the model plan (or, with --dry-run, the stages) as JSON");
    }

    @Override
    int run(Options.Parsed o, PrintStream out, PrintStream err) throws Exception {
        Path modelPath = Path.of(o.string("model"));
        Path tokenizer = o.optional("tokenizer").map(Path::of).orElse(null);
        SplitStrategy strategy = SplitStrategy.parse(o.string("strategy"));
        List<NodeSpec> nodes = nodes(o);
        int context = o.integer("context");
        ModelPlan.Replicas replicas = new ModelPlan.Replicas(o.integer("replicas-min"), o.integer("replicas-max"));
        try (LoadedModel model = ModelLoader.open(modelPath, tokenizer)) {
            String modelId = o.has("model-id") ? o.string("model-id") : defaultModelId(modelPath);
            if (!modelId.matches("[A-Za-z0-9._-]{1,128}")) {
                throw new CliException("--model-id may hold letters, digits, '.', '_' and '-' only, got '" + modelId + "'");
            }
            SplitPlan plan = new SplitPlanner(ModelFootprint.of(model), context).plan(nodes, strategy);
            if (o.flag("dry-run")) {
                if (o.flag("json")) {
                    out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                            .writeValueAsString(plan.stages().stream().map(s -> java.util.Map.of(
                                    "index", s.index(), "first_layer", s.firstLayer(), "last_layer", s.lastLayer(),
                                    "node", s.node().name(), "weight_bytes", s.weightBytes(),
                                    "memory_bytes", s.memoryBytes())).toList()));
                } else {
                    out.printf("%s: %d layers, %s strategy, %d-token context%n", modelPath, model.config().layers(),
                            strategy.word(), context);
                    out.print(plan.table());
                }
                return 0;
            }
            Path dir = o.has("out") ? Path.of(o.string("out")) : Path.of("splits", modelId);
            TerminalProgress progress = new TerminalProgress(err, "splitting");
            List<SplitWriter.WrittenSplit> written = SplitWriter.write(model, plan, modelId, dir, progress::update);
            ModelPlan modelPlan = ModelPlanFile.of(modelId, modelPath.getFileName().toString(), modelPath,
                    model.config().architecture(), plan, written, replicas);
            Path planFile = ModelPlanFile.write(modelPlan, dir.resolve(modelId + ModelPlanFile.SUFFIX));
            if (o.flag("json")) {
                out.println(ModelPlanFile.toJson(modelPlan));
            } else {
                out.print(plan.table());
                for (SplitWriter.WrittenSplit w : written) {
                    out.printf("  %s  %s  md5 %s%n", w.file(), ByteSizes.human(w.bytes()), w.md5());
                }
                out.println("model plan: " + planFile);
            }
            return 0;
        }
    }

    private static List<NodeSpec> nodes(Options.Parsed o) {
        if (o.has("nodes") == o.has("stages")) {
            throw new CliException("give either --stages N or --nodes LIST (see --help)");
        }
        if (o.has("stages")) {
            return NodeSpec.uniform(o.integer("stages"));
        }
        List<NodeSpec> nodes = new ArrayList<>();
        for (String item : o.string("nodes").split(",")) {
            String[] f = item.trim().split(":");
            if (f.length < 2 || f.length > 3 || f[0].isBlank()) {
                throw new CliException("--nodes entries are name:memory[:GB/s], got '" + item + "'");
            }
            double speed = 1e9;
            if (f.length == 3) {
                try {
                    speed = Double.parseDouble(f[2]) * 1e9;
                } catch (NumberFormatException e) {
                    throw new CliException("node " + f[0] + ": speed must be a number of GB/s, got '" + f[2] + "'");
                }
            }
            nodes.add(new NodeSpec(f[0], ByteSizes.parse(f[1]), speed));
        }
        return nodes;
    }

    static String defaultModelId(Path model) {
        String name = model.toAbsolutePath().normalize().getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot > 0 && !Files.isDirectory(model)) {
            name = name.substring(0, dot);
        }
        String id = name.replaceAll("[^A-Za-z0-9._-]", "-");
        return id.isEmpty() ? "model" : id;
    }
}
