package io.strata.functions.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.Envelope;
import io.strata.functions.api.JsonBodies;
import io.strata.functions.registry.SplitRunners;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The seed's split runner registry paths. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class SplitRunnerResource {

    @Inject
    SplitRunners runners;

    @POST
    @Path("split-runner")
    public ObjectNode create(String body) {
        return Envelope.message("SplitRunner created", runners.create(JsonBodies.parse(body)));
    }

    @GET
    @Path("split-runner/{runner_id}")
    public ObjectNode get(@PathParam("runner_id") String runnerId) {
        return Envelope.data(runners.get(runnerId));
    }

    @PUT
    @Path("split-runner/{runner_id}")
    public ObjectNode update(@PathParam("runner_id") String runnerId, String body) {
        runners.update(runnerId, JsonBodies.parse(body));
        return Envelope.message("SplitRunner updated");
    }

    @DELETE
    @Path("split-runner/{runner_id}")
    public ObjectNode delete(@PathParam("runner_id") String runnerId) {
        runners.delete(runnerId);
        return Envelope.message("SplitRunner deleted");
    }

    @POST
    @Path("split-runners")
    public ObjectNode query(String body) {
        return Envelope.data(runners.query(JsonBodies.parse(body)));
    }
}
