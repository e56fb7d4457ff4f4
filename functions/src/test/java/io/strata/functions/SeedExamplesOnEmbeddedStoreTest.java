package io.strata.functions;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The seed's examples on the embedded store. */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class SeedExamplesOnEmbeddedStoreTest extends SeedExamplesContract {
}
