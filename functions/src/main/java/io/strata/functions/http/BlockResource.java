package io.strata.functions.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.api.Envelope;
import io.strata.functions.registry.Blocks;
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

/** The block registry (the SDK's BLOCK_DB_URL): {@code POST /blocks} is the SDK's Blocks query. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class BlockResource {

    @Inject
    Blocks blocks;

    @POST
    @Path("block")
    public ObjectNode create(@Context RoutingContext request) {
        return Envelope.message("Block created", blocks.create(RequestBodies.json(request)));
    }

    @GET
    @Path("block/{block_id}")
    public ObjectNode get(@PathParam("block_id") String blockId) {
        return Envelope.data(blocks.get(blockId));
    }

    @PUT
    @Path("block/{block_id}")
    public ObjectNode put(@PathParam("block_id") String blockId, @Context RoutingContext request) {
        return Envelope.data(blocks.put(blockId, RequestBodies.json(request)));
    }

    @DELETE
    @Path("block/{block_id}")
    public ObjectNode delete(@PathParam("block_id") String blockId) {
        blocks.delete(blockId);
        return Envelope.message("Block deleted");
    }

    @POST
    @Path("blocks")
    public ObjectNode query(@Context RoutingContext request) {
        return Envelope.data(blocks.query(RequestBodies.json(request)));
    }
}
