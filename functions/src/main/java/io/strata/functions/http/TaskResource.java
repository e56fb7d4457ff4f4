package io.strata.functions.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.Envelope;
import io.strata.functions.api.JsonBodies;
import io.strata.functions.launch.SplitJobs;
import io.strata.functions.registry.Tasks;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Split jobs and the task registry they report to (the SDK's TASK_STATUS_UPDATE_URL is {@code /task-status}). */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class TaskResource {

    @Inject
    SplitJobs splitJobs;

    @Inject
    Tasks tasks;

    @POST
    @Path("start_model_split_job")
    public ObjectNode startModelSplitJob(String body) {
        return Envelope.taskStarted(splitJobs.start(JsonBodies.parse(body)));
    }

    @POST
    @Path("task-status")
    public ObjectNode updateStatus(String body) {
        return io.strata.functions.api.TaskAnswers.updated(tasks.updateStatus(JsonBodies.parse(body)));
    }

    @GET
    @Path("task/{task_id}")
    public ObjectNode get(@PathParam("task_id") String taskId) {
        return Envelope.data(tasks.get(taskId));
    }

    @POST
    @Path("tasks")
    public ObjectNode query(String body) {
        return Envelope.data(tasks.query(JsonBodies.parse(body)));
    }
}
