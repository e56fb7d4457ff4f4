package io.strata.mesh.placement;

import io.strata.mesh.NodeAnnouncement;
import io.strata.split.ByteSizes;
import io.strata.split.ModelPlan;
import io.strata.split.ModelPlan.BlockSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides which node loads which blocks: a pure function of the plans to serve, the nodes'
 * announcements, the blocks nodes refused, and the previous decision.
 *
 * <p>In order of precedence:
 * <ol>
 *   <li><b>Fit.</b> A node takes a block only while the memory of everything it holds stays within
 *       its announced free memory, never two copies of one block, never a block it refused.</li>
 *   <li><b>Stability.</b> Copies in the previous decision stay where they are while their node is
 *       alive and the block is unchanged; only what was lost, or is newly allowed, moves.</li>
 *   <li><b>Minimum replicas first.</b> Every model gets its minimum copies before any model gets
 *       extras, so spare copies never crowd out another model.</li>
 *   <li><b>Whole model on one node.</b> When one node can hold every block of a model, all of them
 *       go there (no network hops); copies of such a model are whole copies too.</li>
 *   <li><b>Throughput.</b> Otherwise each block goes, biggest first, to the node whose time per
 *       token (weight bytes it holds over its read speed) stays lowest, so faster nodes take
 *       more and no node becomes the bottleneck; ties go to the node holding a neighbouring stage.</li>
 *   <li><b>Extras.</b> Then copies are added round-robin up to each block's maximum where memory allows.</li>
 * </ol>
 * A new model with a block that fits nowhere is refused whole (its other blocks would only hold
 * memory), with a reason that names the block, what it needs and what each node has. A model
 * that was served and lost every copy of a block (its nodes died) keeps its surviving copies in
 * place: it is down until a node can take the lost block, and then only that block is placed,
 * so it comes back without reloading or moving anything else.
 *
 * <p>"Held" copies are the previous decision's, then the blocks a node announces as loaded (so a
 * node's own blocks count as its own even when the previous decision no longer lists them, e.g.
 * after the model went down): both stay where they are before anything new is placed.
 */
public final class Placement {
    private static final double TIE = 1e-9;

    private Placement() {
    }

    public static PlacementDecision place(List<ModelPlan> models, List<NodeAnnouncement> nodes,
                                          PlacementDecision previous) {
        return place(models, nodes, Map.of(), previous);
    }

    /**
     * @param models        plans to serve, highest priority first (a repeated model id or block id is refused)
     * @param nodes         live nodes' announcements
     * @param failedBlocks  node id → (block id → reason) for blocks a node refused to load
     * @param previous      the decision in force, or {@link PlacementDecision#empty()}
     * @return the new decision, with version {@code previous.version() + 1}
     */
    public static PlacementDecision place(List<ModelPlan> models, List<NodeAnnouncement> nodes,
                                          Map<String, Map<String, String>> failedBlocks, PlacementDecision previous) {
        List<PlacementDecision.Refusal> refusals = new ArrayList<>();
        List<ModelPlan> served = distinct(models, refusals);
        Ledger ledger = new Ledger(nodes, failedBlocks, served);

        List<PlacementDecision.Replica> previousExtras = keepPreviousMinimums(held(previous, nodes, served), ledger);
        Set<String> refused = new HashSet<>();
        Set<String> down = new HashSet<>();
        for (ModelPlan model : served) {
            boolean survivors = ledger.holdsAny(model);
            Ledger trial = ledger.copy();
            PlacementDecision.Refusal refusal = placeMinimum(model, trial);
            if (refusal == null) {
                ledger = trial;
            } else if (survivors) {
                ledger = trial; // the surviving blocks stay loaded, ready for when the lost one finds a node
                down.add(model.modelId());
                refusals.add(new PlacementDecision.Refusal(model.modelId(), refusal.blockId(), refusal.reason()
                        + "; its other blocks stay loaded where they are until then"));
            } else {
                ledger.removeModel(model);
                refused.add(model.modelId());
                refusals.add(refusal);
            }
        }
        for (PlacementDecision.Replica r : previousExtras) {
            BlockSpec b = ledger.spec(r.blockId());
            if (!refused.contains(r.modelId()) && ledger.count(b) < b.replicas().max() && ledger.fits(r.nodeId(), b)) {
                ledger.add(r.modelId(), b, r.nodeId());
            }
        }
        List<ModelPlan> placed = served.stream().filter(m -> !refused.contains(m.modelId())
                && !down.contains(m.modelId())).toList();
        addExtras(placed, ledger);
        List<String> shortfalls = new ArrayList<>();
        for (ModelPlan m : placed) {
            for (BlockSpec b : m.blocks()) {
                if (ledger.count(b) > 0 && ledger.count(b) < b.replicas().min()) {
                    shortfalls.add("block " + b.blockId() + " has " + ledger.count(b) + " of its minimum "
                            + b.replicas().min() + " replicas: " + ledger.whyNot(b));
                }
            }
        }
        return new PlacementDecision(previous.version() + 1, served, ledger.replicas, refusals, shortfalls);
    }

    /** Plans with a model id or block id seen earlier in the list are refused, not merged. */
    private static List<ModelPlan> distinct(List<ModelPlan> models, List<PlacementDecision.Refusal> refusals) {
        Set<String> modelIds = new HashSet<>();
        Set<String> blockIds = new HashSet<>();
        List<ModelPlan> out = new ArrayList<>();
        for (ModelPlan m : models) {
            if (!modelIds.add(m.modelId())) {
                refusals.add(new PlacementDecision.Refusal(m.modelId(), m.blocks().getFirst().blockId(),
                        "another plan for model " + m.modelId() + " is already served; serve one plan per model id"));
                continue;
            }
            String clash = m.blocks().stream().map(BlockSpec::blockId).filter(blockIds::contains).findFirst().orElse(null);
            if (clash != null) {
                refusals.add(new PlacementDecision.Refusal(m.modelId(), clash, "block id " + clash
                        + " is already used by another served model; block ids must be unique"));
                continue;
            }
            m.blocks().forEach(b -> blockIds.add(b.blockId()));
            out.add(m);
        }
        return out;
    }

    /**
     * The copies held now: the previous decision's (while their artifact is unchanged), then every
     * block a node announces as loaded that the previous decision does not list on it. Announced
     * blocks are the served artifact's (the coordinator filters them by SHA-256).
     */
    private static List<PlacementDecision.Replica> held(PlacementDecision previous, List<NodeAnnouncement> nodes,
                                                        List<ModelPlan> served) {
        Map<String, String> previousSha = new HashMap<>();
        previous.models().forEach(m -> m.blocks().forEach(b -> previousSha.put(b.blockId(), b.sha256())));
        Map<String, BlockSpec> servedBlocks = new HashMap<>();
        Map<String, String> modelOf = new HashMap<>();
        for (ModelPlan m : served) {
            for (BlockSpec b : m.blocks()) {
                servedBlocks.put(b.blockId(), b);
                modelOf.put(b.blockId(), m.modelId());
            }
        }
        LinkedHashSet<PlacementDecision.Replica> out = new LinkedHashSet<>();
        for (PlacementDecision.Replica r : previous.replicas()) {
            BlockSpec b = servedBlocks.get(r.blockId());
            if (b != null && b.sha256().equals(previousSha.get(r.blockId()))) {
                out.add(r);
            }
        }
        for (NodeAnnouncement n : nodes) {
            for (String block : new java.util.TreeSet<>(n.readyBlocks())) {
                if (servedBlocks.containsKey(block)) {
                    out.add(new PlacementDecision.Replica(modelOf.get(block), block, n.nodeId()));
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** Keeps held copies up to each block's minimum; returns the rest, to keep later if room is left. */
    private static List<PlacementDecision.Replica> keepPreviousMinimums(List<PlacementDecision.Replica> held,
                                                                        Ledger ledger) {
        List<PlacementDecision.Replica> extras = new ArrayList<>();
        for (PlacementDecision.Replica r : held) {
            BlockSpec b = ledger.spec(r.blockId());
            if (b == null || !ledger.fits(r.nodeId(), b)) {
                continue; // not served any more, node gone, refused, shrunk, or already counted
            }
            if (ledger.count(b) < b.replicas().min()) {
                ledger.add(r.modelId(), b, r.nodeId());
            } else {
                extras.add(r);
            }
        }
        return extras;
    }

    /** Brings every block of {@code model} to its minimum; returns why not when a block fits nowhere. */
    private static PlacementDecision.Refusal placeMinimum(ModelPlan model, Ledger ledger) {
        while (model.blocks().stream().allMatch(b -> ledger.count(b) < b.replicas().min())) {
            String whole = ledger.bestWholeNode(model);
            if (whole == null) {
                break;
            }
            model.blocks().forEach(b -> ledger.add(model.modelId(), b, whole));
        }
        PlacementDecision.Refusal first = null;
        for (BlockSpec b : biggestFirst(model)) {
            while (ledger.count(b) < b.replicas().min()) {
                String node = ledger.bestNodeFor(model, b);
                if (node == null) {
                    if (ledger.count(b) == 0 && first == null) {
                        first = new PlacementDecision.Refusal(model.modelId(), b.blockId(), refusal(model, b, ledger));
                    }
                    break; // placed below its minimum: a shortfall; not placed: the model cannot run
                }
                ledger.add(model.modelId(), b, node);
            }
        }
        return first; // the other blocks went on being placed: a model that keeps its survivors keeps these too
    }

    /** Round-robin: one more copy per block (or one more whole copy per model) each round, up to the maximums. */
    private static void addExtras(List<ModelPlan> models, Ledger ledger) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (ModelPlan model : models) {
                if (model.blocks().stream().allMatch(b -> ledger.count(b) < b.replicas().max())) {
                    String whole = ledger.bestWholeNode(model);
                    if (whole != null) {
                        model.blocks().forEach(b -> ledger.add(model.modelId(), b, whole));
                        changed = true;
                        continue;
                    }
                }
                for (BlockSpec b : biggestFirst(model)) {
                    if (ledger.count(b) < b.replicas().max()) {
                        String node = ledger.bestNodeFor(model, b);
                        if (node != null) {
                            ledger.add(model.modelId(), b, node);
                            changed = true;
                        }
                    }
                }
            }
        }
    }

    private static List<BlockSpec> biggestFirst(ModelPlan model) {
        return model.blocks().stream().sorted(Comparator.comparingLong(BlockSpec::memoryBytes).reversed()
                .thenComparingInt(BlockSpec::rank)).toList();
    }

    private static String refusal(ModelPlan model, BlockSpec b, Ledger ledger) {
        return "model " + model.modelId() + " cannot be served: block " + b.blockId() + " (layers " + b.firstLayer()
                + "-" + (b.lastLayer() - 1) + ") needs " + ByteSizes.human(b.memoryBytes()) + " and " + ledger.whyNot(b)
                + " — add a node with more free memory, free memory on one, or split the model into more, smaller"
                + " blocks (strata split --stages N)";
    }

    /** Memory, load and copies so far; copied to try a model and dropped when it does not fit. */
    private static final class Ledger {
        final Map<String, NodeAnnouncement> nodes = new TreeMap<>();
        final Map<String, Map<String, String>> failed;
        final Map<String, BlockSpec> specs = new HashMap<>();
        final Map<String, Integer> rankOf = new HashMap<>();
        final Map<String, Long> used = new HashMap<>();
        final Map<String, Double> secondsPerToken = new HashMap<>();
        final Map<String, Set<String>> blocksOn = new HashMap<>();
        final Map<String, Integer> copies = new HashMap<>();
        List<PlacementDecision.Replica> replicas = new ArrayList<>();

        Ledger(List<NodeAnnouncement> announced, Map<String, Map<String, String>> failedBlocks, List<ModelPlan> models) {
            announced.forEach(n -> nodes.put(n.nodeId(), n));
            failed = failedBlocks;
            for (ModelPlan m : models) {
                for (BlockSpec b : m.blocks()) {
                    specs.put(b.blockId(), b);
                    rankOf.put(b.blockId(), b.rank());
                }
            }
            for (String n : nodes.keySet()) {
                used.put(n, 0L);
                secondsPerToken.put(n, 0.0);
                blocksOn.put(n, new LinkedHashSet<>());
            }
        }

        private Ledger(Ledger o) {
            nodes.putAll(o.nodes);
            failed = o.failed;
            specs.putAll(o.specs);
            rankOf.putAll(o.rankOf);
            used.putAll(o.used);
            secondsPerToken.putAll(o.secondsPerToken);
            o.blocksOn.forEach((n, s) -> blocksOn.put(n, new LinkedHashSet<>(s)));
            copies.putAll(o.copies);
            replicas = new ArrayList<>(o.replicas);
        }

        Ledger copy() {
            return new Ledger(this);
        }

        BlockSpec spec(String blockId) {
            return specs.get(blockId);
        }

        int count(BlockSpec b) {
            return copies.getOrDefault(b.blockId(), 0);
        }

        boolean refusedBy(String node, String blockId) {
            return failed.getOrDefault(node, Map.of()).containsKey(blockId);
        }

        long free(String node) {
            return nodes.get(node).freeMemoryBytes() - used.get(node);
        }

        double speed(String node) {
            double s = nodes.get(node).readBytesPerSecond();
            return s > 0 && Double.isFinite(s) ? s : 1;
        }

        boolean fits(String node, BlockSpec b) {
            return nodes.containsKey(node) && !blocksOn.get(node).contains(b.blockId())
                    && !refusedBy(node, b.blockId()) && b.memoryBytes() <= free(node);
        }

        void add(String modelId, BlockSpec b, String node) {
            used.merge(node, b.memoryBytes(), Long::sum);
            secondsPerToken.merge(node, b.bytes() / speed(node), Double::sum);
            blocksOn.get(node).add(b.blockId());
            copies.merge(b.blockId(), 1, Integer::sum);
            replicas.add(new PlacementDecision.Replica(modelId, b.blockId(), node));
        }

        boolean holdsAny(ModelPlan model) {
            return replicas.stream().anyMatch(r -> r.modelId().equals(model.modelId()));
        }

        void removeModel(ModelPlan model) {
            List<PlacementDecision.Replica> kept = new ArrayList<>();
            for (PlacementDecision.Replica r : replicas) {
                if (!r.modelId().equals(model.modelId())) {
                    kept.add(r);
                    continue;
                }
                BlockSpec b = specs.get(r.blockId());
                used.merge(r.nodeId(), -b.memoryBytes(), Long::sum);
                secondsPerToken.merge(r.nodeId(), -(b.bytes() / speed(r.nodeId())), Double::sum);
                blocksOn.get(r.nodeId()).remove(b.blockId());
                copies.merge(b.blockId(), -1, Integer::sum);
            }
            replicas = kept;
        }

        /** The node that can take every block of {@code model} and stays least loaded doing so; null if none. */
        String bestWholeNode(ModelPlan model) {
            long memory = model.blocks().stream().mapToLong(BlockSpec::memoryBytes).sum();
            long bytes = model.blocks().stream().mapToLong(BlockSpec::bytes).sum();
            String best = null;
            for (String n : nodes.keySet()) {
                boolean holdsNone = model.blocks().stream().noneMatch(b -> blocksOn.get(n).contains(b.blockId())
                        || refusedBy(n, b.blockId()));
                if (holdsNone && memory <= free(n) && (best == null || better(n, best, bytes, null, model))) {
                    best = n;
                }
            }
            return best;
        }

        /** The node that takes block {@code b} with the lowest time per token afterwards; null if none fits. */
        String bestNodeFor(ModelPlan model, BlockSpec b) {
            String best = null;
            for (String n : nodes.keySet()) {
                if (fits(n, b) && (best == null || better(n, best, b.bytes(), b, model))) {
                    best = n;
                }
            }
            return best;
        }

        /** Lower time per token; then a neighbouring stage already there; then more memory left; then by id. */
        private boolean better(String n, String than, long bytes, BlockSpec b, ModelPlan model) {
            double a = secondsPerToken.get(n) + bytes / speed(n);
            double c = secondsPerToken.get(than) + bytes / speed(than);
            if (Math.abs(a - c) > TIE * Math.max(Math.abs(a), Math.abs(c))) {
                return a < c;
            }
            if (b != null) {
                boolean na = holdsNeighbour(n, b, model);
                boolean nc = holdsNeighbour(than, b, model);
                if (na != nc) {
                    return na;
                }
            }
            long fa = free(n);
            long fc = free(than);
            if (fa != fc) {
                return fa > fc;
            }
            return n.compareTo(than) < 0;
        }

        private boolean holdsNeighbour(String node, BlockSpec b, ModelPlan model) {
            for (String held : blocksOn.get(node)) {
                Integer r = rankOf.get(held);
                BlockSpec h = specs.get(held);
                if (r != null && model.blocks().contains(h) && Math.abs(r - b.rank()) == 1) {
                    return true;
                }
            }
            return false;
        }

        /** Why no (further) node can take {@code b}: each node's reason, for refusals and shortfalls. */
        String whyNot(BlockSpec b) {
            if (nodes.isEmpty()) {
                return "no node has announced itself yet";
            }
            Map<String, String> reasons = new LinkedHashMap<>();
            for (String n : nodes.keySet()) {
                if (blocksOn.get(n).contains(b.blockId())) {
                    reasons.put(n, "already holds it");
                } else if (refusedBy(n, b.blockId())) {
                    reasons.put(n, "refused it (" + failed.get(n).get(b.blockId()) + ")");
                } else {
                    reasons.put(n, "has " + ByteSizes.human(Math.max(0, free(n))) + " free of "
                            + ByteSizes.human(nodes.get(n).freeMemoryBytes()));
                }
            }
            StringBuilder sb = new StringBuilder("no node can take it: ");
            reasons.forEach((n, r) -> sb.append("node ").append(n).append(' ').append(r).append("; "));
            return sb.substring(0, sb.length() - 2);
        }
    }
}
