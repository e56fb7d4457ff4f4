package io.strata.functions.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.registry.ModelPlans;

/** The answer to a model plan registration, shared by the REST path and the Funqy function. */
public final class PlanAnswers {

    private PlanAnswers() {
    }

    public static ObjectNode registered(ModelPlans.Registered registered) {
        ObjectNode answer = Envelope.message("Model plan registered");
        ObjectNode data = (ObjectNode) answer.get("data");
        data.put("vdag_id", registered.vdagId());
        registered.blockIds().forEach(data.putArray("block_ids")::add);
        data.put("created", registered.created());
        return answer;
    }
}
