package io.strata.functions.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import io.strata.functions.api.JsonBodies;
import jakarta.inject.Singleton;

/** Quarkus' own ObjectMapper (which reads Funqy inputs) reads as strictly as {@link JsonBodies}. */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        JsonBodies.configure(mapper);
    }
}
