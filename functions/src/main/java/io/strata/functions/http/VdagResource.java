package io.strata.functions.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.Envelope;
import io.strata.functions.registry.ModelPlans;
import io.strata.functions.registry.Vdags;
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

/** vDAGs, and model plans (a plan registers its blocks and its vDAG together). */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class VdagResource {

    @Inject
    Vdags vdags;

    @Inject
    ModelPlans plans;

    @POST
    @Path("vdag")
    public ObjectNode create(@Context RoutingContext request) {
        return Envelope.message("vDAG created", vdags.create(RequestBodies.json(request)));
    }

    @GET
    @Path("vdag/{vdag_id}")
    public ObjectNode get(@PathParam("vdag_id") String vdagId) {
        return Envelope.data(vdags.get(vdagId));
    }

    @DELETE
    @Path("vdag/{vdag_id}")
    public ObjectNode delete(@PathParam("vdag_id") String vdagId) {
        vdags.delete(vdagId);
        return Envelope.message("vDAG deleted");
    }

    @POST
    @Path("vdags")
    public ObjectNode query(@Context RoutingContext request) {
        return Envelope.data(vdags.query(RequestBodies.json(request)));
    }

    @POST
    @Path("model-plan")
    public ObjectNode registerPlan(@Context RoutingContext request) {
        return io.strata.functions.api.PlanAnswers.registered(plans.register(RequestBodies.json(request)));
    }
}
