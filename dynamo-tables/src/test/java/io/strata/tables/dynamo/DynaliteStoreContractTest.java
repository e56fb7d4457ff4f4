package io.strata.tables.dynamo;

import io.strata.tables.Store;
import io.strata.tables.StoreContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.concurrent.atomic.AtomicInteger;

/** The store contract on DynamoDB as emulated by dynalite; every test gets its own tables (a fresh prefix). */
class DynaliteStoreContractTest extends StoreContractTest {

    private static final AtomicInteger TESTS = new AtomicInteger();
    private static Dynalite dynalite;

    @BeforeAll
    static void startDynalite() throws Exception {
        dynalite = Dynalite.startIfInstalled();
    }

    @AfterAll
    static void stopDynalite() {
        if (dynalite != null) {
            dynalite.close();
        }
    }

    @Override
    protected Store openStore() {
        Dynalite.assumeRunning(dynalite);
        Store store = new DynamoDbStore(dynalite.client(), "test" + TESTS.incrementAndGet() + "-");
        store.createTables();
        return store;
    }
}
