package io.strata.tables.embedded;

import io.strata.tables.Store;
import io.strata.tables.StoreContractTest;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The store contract on the embedded store, in a fresh temporary directory per test. */
class EmbeddedStoreContractTest extends StoreContractTest {

    @TempDir
    Path directory;

    @Override
    protected Store openStore() {
        Store store = EmbeddedStore.open(directory, "strata-");
        store.createTables();
        return store;
    }
}
