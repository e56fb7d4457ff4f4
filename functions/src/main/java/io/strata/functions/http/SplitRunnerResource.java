package io.strata.functions.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.Envelope;
import io.strata.functions.registry.SplitRunners;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

/** The seed's split runner registry paths. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class SplitRunnerResource {

    @Inject
    SplitRunners runners;

    @POST
    @Path("split-runner")
    public ObjectNode create(@Context RoutingContext request) {
        return Envelope.message("SplitRunner created", runners.create(RequestBodies.json(request)));
    }

    @GET
    @Path("split-runner/{runner_id}")
    public ObjectNode get(@PathParam("runner_id") String runnerId) {
        return Envelope.data(runners.get(runnerId));
    }

    @PUT
    @Path("split-runner/{runner_id}")
    public ObjectNode update(@PathParam("runner_id") String runnerId, @Context RoutingContext request) {
        runners.update(runnerId, RequestBodies.json(request));
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
    public ObjectNode query(@Context RoutingContext request) {
        return Envelope.data(runners.query(RequestBodies.json(request)));
    }
}
