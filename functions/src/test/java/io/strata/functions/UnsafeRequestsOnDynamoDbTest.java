package io.strata.functions;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.condition.EnabledIf;

/** The unsafe requests, refused on DynamoDB (dynalite). */
@QuarkusTest
@TestProfile(DynaliteProfile.class)
@EnabledIf("io.strata.functions.DynaliteProfile#available")
class UnsafeRequestsOnDynamoDbTest extends UnsafeRequestsContract {
}
