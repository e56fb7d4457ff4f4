package io.strata.functions.funqy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.funqy.Funq;
import io.strata.functions.api.Envelope;
import io.strata.functions.api.TaskAnswers;
import io.strata.functions.launch.SplitJobs;
import io.strata.functions.registry.Tasks;
import jakarta.inject.Inject;

/** Split jobs and the task registry as functions. */
public class TaskFunctions {

    @Inject
    SplitJobs splitJobs;

    @Inject
    Tasks tasks;

    @Funq
    public ObjectNode startModelSplitJob(JsonNode input) {
        return Envelope.taskStarted(splitJobs.start(input));
    }

    @Funq
    public ObjectNode updateTaskStatus(JsonNode input) {
        // A function has no headers: the job's token travels in the input, beside the status update.
        if (input instanceof ObjectNode object && object.has("task_token")) {
            ObjectNode update = object.deepCopy();
            JsonNode token = update.remove("task_token");
            return TaskAnswers.updated(tasks.updateStatus(update, token.isTextual() ? token.textValue() : null));
        }
        return TaskAnswers.updated(tasks.updateStatus(input, null));
    }

    @Funq
    public ObjectNode getTask(JsonNode input) {
        return Envelope.data(tasks.get(FunctionInputs.key(input, "task_id")));
    }

    @Funq
    public ObjectNode cancelTask(JsonNode input) {
        return Envelope.data(splitJobs.cancel(FunctionInputs.key(input, "task_id")));
    }

    @Funq
    public ObjectNode queryTasks(JsonNode filter) {
        return Envelope.data(tasks.query(filter));
    }
}
