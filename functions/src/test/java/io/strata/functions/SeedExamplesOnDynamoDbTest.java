package io.strata.functions;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.condition.EnabledIf;

/** The seed's examples on DynamoDB (dynalite), through Quarkus' DynamoDB client. */
@QuarkusTest
@TestProfile(DynaliteProfile.class)
@EnabledIf("io.strata.functions.DynaliteProfile#available")
class SeedExamplesOnDynamoDbTest extends SeedExamplesContract {
}
