# A mesh node for GPU hosts: CUDA runtime libraries (the driver comes from the host through the NVIDIA container
# toolkit) and a JDK 25 copied from the Temurin image. Build from the repository root after
# ./mvnw -B -pl mesh-node -am package -DskipTests:
#   docker build -f infra-terraform/images/node-cuda.Dockerfile -t "$NODE_CUDA_IMAGE" .
FROM eclipse-temurin:25-jre AS jre
FROM nvidia/cuda:12.6.3-runtime-ubuntu24.04
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:$PATH
RUN useradd --system --uid 10001 strata && install -d -o strata /var/lib/strata
COPY --chown=strata strata /opt/strata/strata
COPY --chown=strata mesh-node/target/strata-mesh-node.jar /opt/strata/mesh-node/target/strata-mesh-node.jar
COPY --chown=strata mesh-node/target/lib/ /opt/strata/mesh-node/target/lib/
USER strata
EXPOSE 8080 7800
# strata execs its JVM, so the JVM receives the container's stop signal and leaves the cluster cleanly
ENTRYPOINT ["/opt/strata/strata", "node"]
CMD ["--bind", "0.0.0.0", "--cache-dir", "/var/lib/strata/cache"]
