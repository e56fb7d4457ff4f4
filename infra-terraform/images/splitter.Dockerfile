# The split job container: the splitter SDK's entry point running the built-in TransformerSplitter with the
# environment the launcher gives (TASK_ID, TASK_DATA, TASK_STATUS_UPDATE_URL, STRATA_TASK_TOKEN, ...).
# Build from the repository root after ./mvnw -B -pl mesh-node -am package -DskipTests:
#   docker build -f infra-terraform/images/splitter.Dockerfile -t "$SPLITTER_IMAGE" .
FROM eclipse-temurin:25-jre
RUN useradd --system --uid 10001 strata && install -d -o strata /work
COPY --chown=strata mesh-node/target/strata-mesh-node.jar mesh-node/target/lib/ /opt/strata/lib/
USER strata
ENV STRATA_SPLIT_WORK_DIR=/work
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss4m", \
            "-cp", "/opt/strata/lib/*", "io.strata.sdk.SplitterMain", "io.strata.split.TransformerSplitter"]
