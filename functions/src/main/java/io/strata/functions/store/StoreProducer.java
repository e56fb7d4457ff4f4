package io.strata.functions.store;

import io.quarkus.runtime.StartupEvent;
import io.strata.functions.ControlPlaneConfig;
import io.strata.tables.Store;
import io.strata.tables.dynamo.DynamoDbStore;
import io.strata.tables.embedded.EmbeddedStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The one {@link Store} of the process, chosen by {@code strata.store}. The DynamoDB client comes from Quarkus'
 * Amazon DynamoDB extension ({@code quarkus.dynamodb.*}: region, credentials, endpoint override for dynalite or
 * LocalStack) and is only created when that store is chosen. Tables are created at start-up; both stores make that
 * idempotent, so restarts and several instances are safe.
 */
@ApplicationScoped
public class StoreProducer {

    private static final Logger LOG = Logger.getLogger(StoreProducer.class);

    @Produces
    @Singleton
    Store store(ControlPlaneConfig config, Instance<DynamoDbClient> dynamo) {
        return switch (config.store()) {
            case embedded -> {
                LOG.infof("store: embedded, in %s", config.dataDir());
                yield EmbeddedStore.open(config.dataDir(), config.tablePrefix());
            }
            case dynamodb -> {
                LOG.infof("store: DynamoDB, tables %s*", config.tablePrefix());
                yield new DynamoDbStore(dynamo.get(), config.tablePrefix());
            }
        };
    }

    void close(@Disposes Store store) {
        store.close();
    }

    /** Unless Terraform owns the tables (the Lambda deployment: strata.create-tables=false, no CreateTable grant). */
    void createTables(@Observes StartupEvent started, Store store, ControlPlaneConfig config) {
        if (config.createTables()) {
            store.createTables();
        }
    }
}
