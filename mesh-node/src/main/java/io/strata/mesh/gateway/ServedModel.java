package io.strata.mesh.gateway;

import io.strata.tokenizer.Tokenizer;

/**
 * What the gateway needs of a model to serve it: its tokenizer and context length.
 *
 * @param modelId       the id clients name it by
 * @param tokenizer     text to ids and back
 * @param contextLength positions a session may use at most
 */
public record ServedModel(String modelId, Tokenizer tokenizer, int contextLength) {
}
