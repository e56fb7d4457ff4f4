package io.strata.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.functions.ControlPlaneConfig;
import io.strata.functions.http.BlockResource;
import io.strata.functions.http.ModelLayerResource;
import io.strata.functions.http.SplitRunnerResource;
import io.strata.functions.http.TaskResource;
import io.strata.functions.http.VdagResource;
import io.strata.model.TestModels;
import io.strata.tables.TableDefinition;
import io.strata.tables.Tables;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Terraform in infra-terraform/ (parsed as JSON; no Terraform CLI here) is wired to the code: every REST path of
 * the control plane is a route of the HTTP API reaching the Lambda function; the runtime matches the bytecode; every
 * table the store uses is declared once (the generated file) and granted; IAM grants exactly the DynamoDB calls the
 * store makes; every reference names something declared; LocalStack's init agrees on the tables and the bucket.
 */
class TerraformWiringTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static java.nio.file.Path dir;
    private static ObjectNode merged;

    @BeforeAll
    static void read() throws IOException {
        dir = TestModels.repoRoot().resolve("infra-terraform");
        merged = JSON.createObjectNode();
        try (Stream<java.nio.file.Path> files = Files.list(dir)) {
            for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".tf.json")).sorted().toList()) {
                JsonNode tf = JSON.readTree(file.toFile());
                for (Iterator<String> blocks = tf.fieldNames(); blocks.hasNext(); ) {
                    String block = blocks.next();
                    if (block.equals("//")) {
                        continue;
                    }
                    merge(merged.withObject(block), tf.get(block), file.getFileName() + " " + block);
                }
            }
        }
    }

    /** Resources and data by type and name, variables and outputs by name; anything declared twice fails. */
    private static void merge(ObjectNode into, JsonNode from, String where) {
        boolean typed = where.endsWith(" resource") || where.endsWith(" data");
        from.properties().forEach(entry -> {
            if (!typed) {
                assertTrue(!into.has(entry.getKey()) || where.endsWith(" terraform") || where.endsWith(" provider"),
                        where + ": " + entry.getKey() + " is declared twice");
                into.set(entry.getKey(), entry.getValue());
                return;
            }
            ObjectNode target = into.withObject(entry.getKey());
            entry.getValue().properties().forEach(named -> {
                assertTrue(!target.has(named.getKey()), where + ": " + entry.getKey() + "." + named.getKey() + " is declared twice");
                target.set(named.getKey(), named.getValue());
            });
        });
    }

    private static JsonNode resource(String type, String name) {
        JsonNode r = merged.path("resource").path(type).path(name);
        assertTrue(r.isObject(), "resource " + type + "." + name + " is declared");
        return r;
    }

    /** "POST /task/{}" for each JAX-RS method of the control plane's REST resources. */
    private static Set<String> restRoutes() {
        Set<String> routes = new TreeSet<>();
        for (Class<?> resource : List.of(TaskResource.class, SplitRunnerResource.class, ModelLayerResource.class,
                BlockResource.class, VdagResource.class)) {
            for (Method m : resource.getDeclaredMethods()) {
                Path path = m.getAnnotation(Path.class);
                String verb = m.isAnnotationPresent(GET.class) ? "GET" : m.isAnnotationPresent(POST.class) ? "POST"
                        : m.isAnnotationPresent(PUT.class) ? "PUT" : m.isAnnotationPresent(DELETE.class) ? "DELETE" : null;
                if (path != null && verb != null) {
                    routes.add(verb + " /" + path.value().replaceAll("\\{[^}]+}", "{}"));
                }
            }
        }
        return routes;
    }

    @Test
    void everyRestPathIsARouteOfTheHttpApiReachingTheFunction() {
        Set<String> declared = new TreeSet<>();
        merged.path("resource").path("aws_apigatewayv2_route").forEach(route -> {
            declared.add(route.get("route_key").asText().replaceAll("\\{[^}]+}", "{}"));
            assertEquals("integrations/${aws_apigatewayv2_integration.control_plane.id}", route.get("target").asText(),
                    route.get("route_key").asText() + " reaches the control plane's integration");
        });
        Set<String> missing = new TreeSet<>(restRoutes());
        missing.removeAll(declared);
        assertEquals(Set.of(), missing, "REST paths without an API route");
        assertTrue(declared.contains("POST /{}"), "the Funqy functions (POST /<function>) are routed too");
        JsonNode integration = resource("aws_apigatewayv2_integration", "control_plane");
        assertEquals("${aws_lambda_function.control_plane.invoke_arn}", integration.get("integration_uri").asText());
        assertEquals("2.0", integration.get("payload_format_version").asText(), "the handler test's event format");
        assertEquals("HTTP", resource("aws_apigatewayv2_api", "control_plane").get("protocol_type").asText());
        assertTrue(resource("aws_lambda_permission", "api_gateway").get("source_arn").asText()
                .startsWith("${aws_apigatewayv2_api.control_plane.execution_arn}"));
    }

    @Test
    void theFunctionRunsOnTheRuntimeOfItsBytecodeWithTheLambdaHandler() throws IOException {
        JsonNode function = resource("aws_lambda_function", "control_plane");
        int major;
        try (InputStream in = TaskResource.class.getResourceAsStream("TaskResource.class");
             DataInputStream data = new DataInputStream(in)) {
            data.readInt();
            data.readUnsignedShort();
            major = data.readUnsignedShort();
        }
        assertEquals("java" + (major - 44), function.get("runtime").asText(), "class file major " + major);
        assertEquals("io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest", function.get("handler").asText());
        assertTrue(function.get("filename").asText().contains("var.function_zip"));
        assertTrue(merged.path("variable").path("function_zip").path("default").asText().endsWith("functions/target/lambda/function.zip"),
                "the zip the -Plambda profile builds");
        JsonNode env = function.path("environment").get(0).path("variables");
        assertEquals("dynamodb", env.get("STRATA_STORE").asText());
        assertEquals("${var.table_prefix}", env.get("STRATA_TABLE_PREFIX").asText());
        assertEquals("kubernetes", env.get("STRATA_LAUNCHER").asText(), "a Lambda cannot run child JVMs");
        assertTrue(env.get("STRATA_API_TOKEN").asText().contains("aws_secretsmanager_secret_version.api_token"));
        assertTrue(env.get("STRATA_KUBECONFIG_KEY").asText().contains("aws_secretsmanager_secret_version.kubeconfig_key"));
    }

    @Test
    void everyTableIsDeclaredOnceFromTheGeneratedFileAndGranted() throws IOException {
        JsonNode generated = JSON.readTree(dir.resolve("dynamodb.tf.json").toFile());
        JsonNode tables = merged.path("resource").path("aws_dynamodb_table");
        assertEquals(generated.path("resource").path("aws_dynamodb_table"), tables, "tables come from the generated file only");
        List<String> resources = new ArrayList<>();
        policy("control_plane", "Tables").path("resources").forEach(r -> resources.add(r.asText()));
        for (TableDefinition table : Tables.all()) {
            String name = table.name().replace('-', '_');
            assertEquals("${var.table_prefix}" + table.name(), tables.path(name).path("name").asText());
            assertTrue(resources.contains("${aws_dynamodb_table." + name + ".arn}"), "IAM grants table " + table.name());
            if (!table.indexes().isEmpty()) {
                assertTrue(resources.contains("${aws_dynamodb_table." + name + ".arn}/index/*"), "IAM grants " + table.name() + "'s indexes");
            }
        }
        assertEquals(Tables.all().size() + 2, resources.size(), "no grant on anything else: " + resources);
    }

    private static JsonNode policy(String document, String sid) {
        for (JsonNode statement : merged.path("data").path("aws_iam_policy_document").path(document).path("statement")) {
            if (sid.equals(statement.path("sid").asText())) {
                return statement;
            }
        }
        throw new AssertionError("policy " + document + " has no statement " + sid);
    }

    @Test
    void iamGrantsExactlyTheDynamoDbCallsTheStoreMakes() throws IOException {
        String store = Files.readString(TestModels.repoRoot().resolve(
                "dynamo-tables/src/main/java/io/strata/tables/dynamo/DynamoDbStore.java"));
        Set<String> calls = new TreeSet<>();
        Matcher m = Pattern.compile("client\\.([a-zA-Z]+)\\(").matcher(store);
        while (m.find()) {
            String call = m.group(1).replace("Paginator", "");
            calls.add("dynamodb:" + Character.toUpperCase(call.charAt(0)) + call.substring(1));
        }
        // Table creation runs only with strata.create-tables=true; in the cloud Terraform owns the tables.
        calls.removeAll(Set.of("dynamodb:CreateTable", "dynamodb:DescribeTable"));
        Set<String> granted = new TreeSet<>();
        policy("control_plane", "Tables").path("actions").forEach(a -> granted.add(a.asText()));
        assertEquals(calls, granted);
        assertEquals("false", resource("aws_lambda_function", "control_plane").path("environment").get(0).path("variables")
                .path("STRATA_CREATE_TABLES").asText());
    }

    @Test
    void everyReferenceNamesSomethingDeclared() {
        String text = merged.toString();
        Matcher refs = Pattern.compile("\\b(data\\.)?((?:aws|random)_[a-z0-9_]+)\\.([a-z0-9_]+)\\.").matcher(text);
        Set<String> unknown = new TreeSet<>();
        while (refs.find()) {
            String block = refs.group(1) == null ? "resource" : "data";
            if (!merged.path(block).path(refs.group(2)).has(refs.group(3))) {
                unknown.add(refs.group());
            }
        }
        Matcher vars = Pattern.compile("var\\.([a-z0-9_]+)").matcher(text);
        while (vars.find()) {
            if (!merged.path("variable").has(vars.group(1))) {
                unknown.add(vars.group());
            }
        }
        assertEquals(Set.of(), unknown);
        for (String output : List.of("api_url", "artifact_bucket", "table_names")) {
            assertTrue(merged.path("output").has(output), "output " + output);
        }
    }

    @Test
    void localStackInitAndTerraformAgreeOnTablesAndBucket() throws IOException {
        String init = Files.readString(TestModels.repoRoot().resolve("localstack/init/create-tables-and-bucket.sh"));
        assertTrue(init.contains("dynamodb.tf.json"), "LocalStack creates the tables from the generated Terraform");
        Matcher bucket = Pattern.compile("BUCKET=\\$\\{STRATA_ARTIFACT_BUCKET:-([^}]+)}").matcher(init);
        assertTrue(bucket.find(), "LocalStack's init names its bucket");
        assertEquals(bucket.group(1), merged.path("variable").path("artifact_bucket_name").path("default").asText());
        assertEquals("${var.artifact_bucket_name}", resource("aws_s3_bucket", "artifacts").get("bucket").asText());
        Matcher prefix = Pattern.compile("PREFIX=\\$\\{STRATA_TABLE_PREFIX:-([^}]+)}").matcher(init);
        assertTrue(prefix.find());
        assertEquals(prefix.group(1), merged.path("variable").path("table_prefix").path("default").asText());
    }

    @Test
    void gpuNodesStartStrataNodeAndJoinTheMeshByThemselves() throws IOException {
        JsonNode group = resource("aws_autoscaling_group", "gpu_nodes");
        assertEquals("${var.gpu_node_count}", group.get("desired_capacity").asText());
        JsonNode template = resource("aws_launch_template", "gpu_node");
        assertEquals("${var.gpu_node_instance_type}", template.get("instance_type").asText());
        assertTrue(template.get("user_data").asText().contains("node-user-data.sh"));
        String userData = Files.readString(dir.resolve("node-user-data.sh"));
        assertTrue(userData.contains("exec /opt/strata/strata node"), "the node runs as the service's own process");
        assertTrue(userData.contains("--peers") && userData.contains("strata-cluster"), "peers found from the group's tag");
        assertTrue(userData.contains("--control-plane ${api_url}"), "nodes register their blocks");
        Set<String> actions = new TreeSet<>();
        merged.path("data").path("aws_iam_policy_document").path("gpu_node").path("statement")
                .forEach(s -> s.path("actions").forEach(a -> actions.add(a.asText())));
        assertEquals(Set.of("ec2:DescribeInstances", "s3:GetObject", "secretsmanager:GetSecretValue"), actions);
        Map<String, String> tags = group.path("tag").findValuesAsText("key").stream().collect(Collectors.toMap(k -> k, k -> k));
        assertTrue(tags.containsKey("strata-cluster"));
    }

    @Test
    void imageTagsLiveInOnePlaceAndEveryReferencedImageIsBuiltHere() throws IOException {
        java.nio.file.Path images = dir.resolve("images");
        Map<String, String> tags = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(images.resolve("images.env"))) {
            if (line.matches("[A-Z_]+_IMAGE=.+")) {
                tags.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        String splitRunnerDefault = null;
        for (Method m : ControlPlaneConfig.SplitRunner.class.getDeclaredMethods()) {
            if (m.getName().equals("image")) {
                splitRunnerDefault = m.getAnnotation(io.smallrye.config.WithDefault.class).value();
            }
        }
        assertEquals(tags.get("SPLIT_RUNNER_IMAGE"), splitRunnerDefault, "POST /split-runner deploys the image built here");
        String build = Files.readString(images.resolve("build.sh"));
        for (String variable : tags.keySet()) {
            assertTrue(build.contains("$" + variable), "build.sh builds or tags " + variable);
        }
        String kustomization = Files.readString(dir.resolve("kubernetes/kustomization.yaml"));
        for (String image : List.of("CONTROL_PLANE_IMAGE", "NODE_CUDA_IMAGE")) {
            String tag = tags.get(image);
            assertTrue(kustomization.contains("newName: " + tag.substring(0, tag.lastIndexOf(':')) + "\n    newTag: "
                    + tag.substring(tag.lastIndexOf(':') + 1)), "kustomization maps " + image + " to " + tag);
        }
        String rbac = Files.readString(dir.resolve("kubernetes/base/split-jobs-rbac.yaml"));
        assertTrue(rbac.contains("resources: [\"jobs\"]") && rbac.contains("\"create\", \"get\", \"list\", \"watch\", \"delete\""),
                "the control plane may create, watch and delete split Jobs");
        String nodes = Files.readString(dir.resolve("kubernetes/gpu-nodes/mesh-nodes.yaml"));
        assertTrue(nodes.contains("nvidia.com/gpu: 1") && nodes.contains("key: nvidia.com/gpu"), "GPU resource and toleration");
    }
}
