package io.strata.mesh.gateway;

import java.io.IOException;

/** Receives generated tokens as they arrive, in order, each once (failovers included). */
@FunctionalInterface
public interface TokenSink {
    /**
     * @return false to end the generation here (a stop string matched)
     * @throws IOException when the client has gone; the generation is abandoned
     */
    boolean accept(int token) throws IOException;
}
