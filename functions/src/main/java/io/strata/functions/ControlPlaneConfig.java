package io.strata.functions;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Every {@code strata.*} setting of the control plane (application.properties, -D, or env such as STRATA_API_TOKEN). */
@ConfigMapping(prefix = "strata")
public interface ControlPlaneConfig {

    enum StoreKind { embedded, dynamodb }

    enum LauncherKind { local, kubernetes }

    /** Where the registries live: {@code embedded} (journal files in {@link #dataDir()}) or {@code dynamodb}. */
    @WithDefault("embedded")
    StoreKind store();

    /** The embedded store's files and the local launcher's per-task logs. */
    @WithName("data-dir")
    @WithDefault("${user.home}/.strata/control-plane")
    Path dataDir();

    /** Whether to create missing tables at start-up; false where Terraform created them and IAM grants no CreateTable. */
    @WithName("create-tables")
    @WithDefault("true")
    boolean createTables();

    /** Physical table names are this prefix + the logical name ({@code strata-tasks}). */
    @WithName("table-prefix")
    @WithDefault("strata-")
    String tablePrefix();

    /** When set, every request needs {@code Authorization: Bearer <token>}. */
    @WithName("api-token")
    Optional<String> apiToken();

    /** How split jobs run: {@code local} (a child JVM) or {@code kubernetes} (a batch/v1 Job). */
    @WithDefault("local")
    LauncherKind launcher();

    /** The URL at which split jobs in a cluster reach this control plane (needed by the Kubernetes launcher). */
    @WithName("public-url")
    Optional<String> publicUrl();

    /** The process that started this one (strata demo): when it is gone, the control plane stops too. */
    @WithName("parent-pid")
    Optional<Long> parentPid();

    /** Base64 of 32 bytes: the key split runners' kubeconfigs are encrypted with in the store (never stored there). */
    @WithName("kubeconfig-key")
    Optional<String> kubeconfigKey();

    /** Used when {@link #kubeconfigKey()} is not set: a key file, created (owner-only) when missing. */
    @WithName("kubeconfig-key-file")
    @WithDefault("${user.home}/.strata/kubeconfig.key")
    Path kubeconfigKeyFile();

    /** How long a split job may run before it is stopped and its task failed (Jobs: activeDeadlineSeconds). */
    @WithName("split-job-deadline")
    @WithDefault("PT6H")
    Duration splitJobDeadline();

    @WithName("local-launcher")
    LocalLauncher localLauncher();

    Kubernetes kubernetes();

    @WithName("split-runner")
    SplitRunner splitRunner();

    interface LocalLauncher {
        /** Classpath of the child JVM that runs the splitter; defaults to this JVM's own (see LocalLauncher). */
        Optional<String> classpath();

        /** JVM options of the child: the engine reads models with the Vector API and native memory access. */
        @WithName("jvm-options")
        @WithDefault("--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m")
        String jvmOptions();

        /** Folders whose files local split jobs may read through file: URLs or paths; none by default. */
        @WithName("file-roots")
        Optional<List<Path>> fileRoots();
    }

    interface Kubernetes {
        /** API server URL; absent means Fabric8's auto-configuration (in-cluster account, ~/.kube/config). */
        @WithName("master-url")
        Optional<String> masterUrl();

        /** Namespace of split-job Jobs; absent means the configured client's namespace, else "default". */
        Optional<String> namespace();

        @WithName("backoff-limit")
        @WithDefault("1")
        int backoffLimit();

        @WithName("ttl-seconds-after-finished")
        @WithDefault("3600")
        int ttlSecondsAfterFinished();

        /** Secret (key {@code api-token}) that gives split jobs STRATA_API_TOKEN when the control plane has a token. */
        @WithName("api-token-secret")
        @WithDefault("strata-control-plane")
        String apiTokenSecret();
    }

    interface SplitRunner {
        /** The split runner server's container image. */
        @WithDefault("ghcr.io/strata-llm/split-runner:0.1.0")
        String image();

        @WithName("container-port")
        @WithDefault("8080")
        int containerPort();

        /** A fixed NodePort (30000-32767) for clusters whose firewall opens only that one; absent lets the cluster pick. */
        @WithName("node-port")
        OptionalInt nodePort();

        /**
         * API server hosts allowed although they are loopback or link-local (a cluster on this machine, a test's mock);
         * every other such kubeconfig is refused.
         */
        @WithName("allowed-local-api-servers")
        Optional<List<String>> allowedLocalApiServers();

        /** Namespace when the kubeconfig's context names none. */
        @WithName("default-namespace")
        @WithDefault("default")
        String defaultNamespace();
    }
}
