# The control plane (functions/target/quarkus-app). Also the split runner image (images.env tags it twice): the split
# runner that POST /split-runner deploys is this server in a runner role, serving the same API on its port.
# Build from the repository root after ./mvnw -B -pl functions -am package -DskipTests:
#   docker build -f infra-terraform/images/control-plane.Dockerfile -t "$CONTROL_PLANE_IMAGE" .
FROM eclipse-temurin:25-jre
RUN useradd --system --uid 10001 strata
COPY --chown=strata functions/target/quarkus-app /opt/strata/control-plane
USER strata
ENV STRATA_DATA_DIR=/var/lib/strata
EXPOSE 8001
# exec form: the JVM is PID 1 and gets the container's stop signal
ENTRYPOINT ["java", "-Dquarkus.http.host=0.0.0.0", "-Dquarkus.http.port=8001", "-jar", "/opt/strata/control-plane/quarkus-run.jar"]
