package io.strata.functions.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.Envelope;
import io.strata.functions.launch.SplitJobs;
import io.strata.functions.registry.TaskTokens;
import io.strata.functions.registry.Tasks;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
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
    public ObjectNode startModelSplitJob(@Context RoutingContext request) {
        return Envelope.taskStarted(splitJobs.start(RequestBodies.json(request)));
    }

    @POST
    @Path("task-status")
    public ObjectNode updateStatus(@Context RoutingContext request) {
        return io.strata.functions.api.TaskAnswers.updated(tasks.updateStatus(RequestBodies.json(request),
                request.request().getHeader(TaskTokens.HEADER)));
    }

    @GET
    @Path("task/{task_id}")
    public ObjectNode get(@PathParam("task_id") String taskId) {
        return Envelope.data(tasks.get(taskId));
    }

    @DELETE
    @Path("task/{task_id}")
    public ObjectNode cancel(@PathParam("task_id") String taskId) {
        return Envelope.data(splitJobs.cancel(taskId));
    }

    @POST
    @Path("tasks")
    public ObjectNode query(@Context RoutingContext request) {
        return Envelope.data(tasks.query(RequestBodies.json(request)));
    }
}
