package io.strata.functions.lifecycle;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.strata.functions.ControlPlaneConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;

/**
 * Stops the control plane when the process that started it is gone ({@code strata.parent-pid}),
 * so a parent such as {@code strata demo} that dies, even by SIGKILL, leaves no server behind.
 */
@ApplicationScoped
public class ParentWatch {
    private static final Logger LOG = Logger.getLogger(ParentWatch.class);
    private static final Duration POLL = Duration.ofMillis(500);

    void watch(@Observes StartupEvent started, ControlPlaneConfig config) {
        Optional<Long> parentPid = config.parentPid();
        if (parentPid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid.get());
        Thread.ofPlatform().daemon().name("strata-parent-watch").start(() -> {
            while (parent.map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(POLL);
                } catch (InterruptedException e) {
                    return;
                }
            }
            LOG.infof("parent process %d is gone; stopping", parentPid.get());
            Quarkus.asyncExit();
        });
    }
}
