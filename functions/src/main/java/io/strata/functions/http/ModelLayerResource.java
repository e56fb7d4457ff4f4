package io.strata.functions.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.Envelope;
import io.strata.functions.api.JsonBodies;
import io.strata.functions.registry.ModelLayers;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The seed's model layer registry paths. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class ModelLayerResource {

    @Inject
    ModelLayers layers;

    @POST
    @Path("model-layer")
    public ObjectNode create(String body) {
        return Envelope.message("ModelLayer created", layers.create(JsonBodies.parse(body)));
    }

    @GET
    @Path("model-layer/{hash}")
    public ObjectNode get(@PathParam("hash") String hash) {
        return Envelope.data(layers.get(hash));
    }

    @PUT
    @Path("model-layer/{hash}")
    public ObjectNode update(@PathParam("hash") String hash, String body) {
        layers.update(hash, JsonBodies.parse(body));
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
    public ObjectNode query(String body) {
        return Envelope.data(layers.query(JsonBodies.parse(body)));
    }
}
