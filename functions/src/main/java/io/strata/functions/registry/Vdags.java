package io.strata.functions.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.ApiException;
import io.strata.functions.api.Fields;
import io.strata.functions.api.JsonBodies;
import io.strata.tables.DuplicateKeyException;
import io.strata.tables.NotFoundException;
import io.strata.tables.Store;
import io.strata.tables.Tables;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The vDAG registry: the ordered stages (block ids) that serve a split model as one unit, and the edges activations
 * travel along ({@code {"from", "to"}}, each naming a stage; a plain chain when none are given).
 */
@ApplicationScoped
public class Vdags {

    @Inject
    Store store;

    /**
     * Registers a vDAG ({@code vdag_id} generated when absent) whose stages are all registered blocks and whose edges
     * make no cycle; returns its id.
     */
    public String create(JsonNode body) {
        ObjectNode vdag = checked(JsonBodies.object(body, "a vDAG").deepCopy());
        if (store.get(Tables.VDAGS, vdag.get("vdag_id").textValue()).isPresent()) {
            throw ApiException.conflict("vDAG " + vdag.get("vdag_id").textValue() + " already exists");
        }
        for (JsonNode stage : vdag.get("stages")) {
            if (store.get(Tables.BLOCKS, stage.textValue()).isEmpty()) {
                throw ApiException.badRequest("field stages names block \"" + stage.textValue() + "\", which is not registered;"
                        + " register it first (POST /block, or POST /model-plan for a whole plan)");
            }
        }
        try {
            store.create(Tables.VDAGS, vdag);
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("vDAG " + vdag.get("vdag_id").textValue() + " already exists");
        }
        return vdag.get("vdag_id").textValue();
    }

    public ObjectNode get(String vdagId) {
        return store.get(Tables.VDAGS, vdagId).orElseThrow(() -> ApiException.notFound("no vDAG with id " + vdagId));
    }

    public void delete(String vdagId) {
        try {
            store.delete(Tables.VDAGS, vdagId);
        } catch (NotFoundException e) {
            throw ApiException.notFound("no vDAG with id " + vdagId);
        }
    }

    public ArrayNode query(JsonNode filter) {
        return Queries.array(store.query(Tables.VDAGS, Queries.filter(filter)));
    }

    /** The vDAG with its id filled in and its edges checked (or made a chain); refuses stages or edges that do not fit. */
    static ObjectNode checked(ObjectNode vdag) {
        Fields f = Fields.of(vdag);
        vdag.put("vdag_id", f.optionalString("vdag_id").orElseGet(() -> UUID.randomUUID().toString()));
        ArrayNode stages = f.optionalStringArray("stages").orElseThrow(() -> f.missing("stages"));
        if (stages.isEmpty()) {
            throw ApiException.badRequest("field stages must name at least one block");
        }
        Set<String> names = new HashSet<>();
        for (JsonNode stage : stages) {
            if (stage.textValue().isBlank() || !names.add(stage.textValue())) {
                throw ApiException.badRequest("field stages must name distinct blocks, got \"" + stage.textValue() + "\" twice or empty");
            }
        }
        ArrayNode edges = f.optionalObjectArray("edges").orElse(null);
        if (edges == null) {
            edges = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i + 1 < stages.size(); i++) {
                edges.addObject().put("from", stages.get(i).textValue()).put("to", stages.get(i + 1).textValue());
            }
            vdag.set("edges", edges);
        }
        Map<String, List<String>> next = new HashMap<>();
        for (int i = 0; i < edges.size(); i++) {
            Fields edge = Fields.of((ObjectNode) edges.get(i), "edges[" + i + "].");
            for (String end : new String[] {"from", "to"}) {
                String stage = edge.requiredString(end);
                if (!names.contains(stage)) {
                    throw ApiException.badRequest("field " + edge.name(end) + " names \"" + stage + "\", which is not one of the stages");
                }
            }
            next.computeIfAbsent(edge.requiredString("from"), k -> new ArrayList<>()).add(edge.requiredString("to"));
        }
        refuseCycles(names, next);
        return vdag;
    }

    /** Activations flow one way: a cycle would send a session's hidden state round for ever. */
    private static void refuseCycles(Set<String> stages, Map<String, List<String>> next) {
        Map<String, Integer> incoming = new HashMap<>();
        stages.forEach(stage -> incoming.put(stage, 0));
        next.values().forEach(targets -> targets.forEach(to -> incoming.merge(to, 1, Integer::sum)));
        Deque<String> ready = new ArrayDeque<>();
        incoming.forEach((stage, count) -> {
            if (count == 0) {
                ready.add(stage);
            }
        });
        int ordered = 0;
        while (!ready.isEmpty()) {
            String stage = ready.poll();
            ordered++;
            for (String to : next.getOrDefault(stage, List.of())) {
                if (incoming.merge(to, -1, Integer::sum) == 0) {
                    ready.add(to);
                }
            }
        }
        if (ordered < stages.size()) {
            List<String> inCycle = incoming.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).sorted().toList();
            throw ApiException.badRequest("field edges makes a cycle through " + String.join(", ", inCycle)
                    + "; a vDAG's edges must lead from the first stage to the last without coming back");
        }
    }
}
