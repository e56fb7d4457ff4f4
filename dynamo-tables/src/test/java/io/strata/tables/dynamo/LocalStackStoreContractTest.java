package io.strata.tables.dynamo;

import io.strata.tables.Store;
import io.strata.tables.StoreContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The store contract on LocalStack's DynamoDB (which runs Amazon's DynamoDB Local), where Docker is available;
 * skipped cleanly elsewhere.
 */
class LocalStackStoreContractTest extends StoreContractTest {

    private static final AtomicInteger TESTS = new AtomicInteger();
    private static boolean docker;
    private static LocalStackContainer localstack;
    private static DynamoDbClient client;

    @BeforeAll
    static void startLocalStack() {
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            docker = false;
        }
        if (!docker) {
            return;
        }
        localstack = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.4")).withServices("dynamodb");
        localstack.start();
        client = DynamoDbClient.builder()
                .endpointOverride(localstack.getEndpoint())
                .region(Region.of(localstack.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(localstack.getAccessKey(), localstack.getSecretKey())))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    static void stopLocalStack() {
        if (client != null) {
            client.close();
        }
        if (localstack != null) {
            localstack.stop();
        }
    }

    @Override
    protected Store openStore() {
        // Checked per test (not in @BeforeAll) so each one is reported as skipped rather than vanishing.
        Assumptions.assumeTrue(docker, "no Docker engine here; the dynalite run covers DynamoDB");
        Store store = new DynamoDbStore(client, "ls" + TESTS.incrementAndGet() + "-");
        store.createTables();
        return store;
    }
}
