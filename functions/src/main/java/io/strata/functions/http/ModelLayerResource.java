package io.strata.functions.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.Envelope;
import io.strata.functions.registry.ModelLayers;
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

/** The seed's model layer registry paths. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class ModelLayerResource {

    @Inject
    ModelLayers layers;

    @POST
    @Path("model-layer")
    public ObjectNode create(@Context RoutingContext request) {
        return Envelope.message("ModelLayer created", layers.create(RequestBodies.json(request)));
    }

    @GET
    @Path("model-layer/{hash}")
    public ObjectNode get(@PathParam("hash") String hash) {
        return Envelope.data(layers.get(hash));
    }

    @PUT
    @Path("model-layer/{hash}")
    public ObjectNode update(@PathParam("hash") String hash, @Context RoutingContext request) {
        layers.update(hash, RequestBodies.json(request));
        return Envelope.message("ModelLayer updated");
    }

    @DELETE
    @Path("model-layer/{hash}")
    public ObjectNode delete(@PathParam("hash") String hash) {
        layers.delete(hash);
        return Envelope.message("ModelLayer deleted");
    }

    @POST
    @Path("model-layers")
    public ObjectNode query(@Context RoutingContext request) {
        return Envelope.data(layers.query(RequestBodies.json(request)));
    }
}
