package io.strata.functions;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The unsafe requests, refused on the embedded store. */
@QuarkusTest
@TestProfile(EmbeddedProfile.class)
class UnsafeRequestsOnEmbeddedStoreTest extends UnsafeRequestsContract {
}
