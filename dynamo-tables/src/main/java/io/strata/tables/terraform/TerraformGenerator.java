package io.strata.tables.terraform;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.tables.SecondaryIndex;
import io.strata.tables.TableDefinition;
import io.strata.tables.Tables;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes {@code infra-terraform/dynamodb.tf.json}: one {@code aws_dynamodb_table} per {@link TableDefinition}
 * (on-demand billing, string keys, GSIs projecting all attributes, point-in-time recovery), named
 * {@code ${var.table_prefix}<table>}, plus the {@code table_prefix} variable and the tables' names and ARNs as outputs.
 */
public final class TerraformGenerator {

    /** Where the file lives, relative to the repository root. */
    public static final String FILE = "infra-terraform/dynamodb.tf.json";
    public static final String REGENERATE = "./mvnw -B -q -pl dynamo-tables compile exec:java";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private TerraformGenerator() {
    }

    /** The file's text for {@code tables}: deterministic, two-space indented, LF line ends, final newline. */
    public static String generate(List<TableDefinition> tables) {
        ObjectNode root = JSON.objectNode();
        root.put("//", "Generated from io.strata.tables.Tables by io.strata.tables.terraform.TerraformGenerator;"
                + " do not edit. Regenerate with: " + REGENERATE);
        ObjectNode prefix = root.putObject("variable").putObject("table_prefix");
        prefix.put("type", "string");
        prefix.put("default", Tables.DEFAULT_PREFIX);
        prefix.put("description", "Prepended to every DynamoDB table name; the control plane's functions must use the same prefix.");

        ObjectNode resources = root.putObject("resource").putObject("aws_dynamodb_table");
        ObjectNode names = JSON.objectNode();
        ObjectNode arns = JSON.objectNode();
        for (TableDefinition table : tables) {
            String id = table.name().replaceAll("[^A-Za-z0-9_]", "_");
            resources.set(id, table(table));
            names.put(table.name(), "${aws_dynamodb_table." + id + ".name}");
            arns.put(table.name(), "${aws_dynamodb_table." + id + ".arn}");
        }
        ObjectNode outputs = root.putObject("output");
        ObjectNode nameOutput = outputs.putObject("dynamodb_table_names");
        nameOutput.set("value", names);
        nameOutput.put("description", "Physical name of each control-plane table, by logical name.");
        ObjectNode arnOutput = outputs.putObject("dynamodb_table_arns");
        arnOutput.set("value", arns);
        arnOutput.put("description", "ARN of each control-plane table, by logical name (for IAM policies; add \"/index/*\" for the indexes).");

        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            String text = new ObjectMapper().writer(printer).writeValueAsString(root);
            return text.replace("\" : ", "\": ") + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode table(TableDefinition table) {
        ObjectNode resource = JSON.objectNode();
        // The description goes in a JSON comment: AWS tag values refuse characters such as '(' and ','.
        resource.put("//", table.description());
        resource.put("name", "${var.table_prefix}" + table.name());
        resource.put("billing_mode", "PAY_PER_REQUEST");
        resource.put("hash_key", table.partitionKey());
        ArrayNode attributes = resource.putArray("attribute");
        for (String attribute : table.keyAttributes()) {
            attributes.addObject().put("name", attribute).put("type", "S");
        }
        if (!table.indexes().isEmpty()) {
            ArrayNode indexes = resource.putArray("global_secondary_index");
            for (SecondaryIndex index : table.indexes()) {
                ObjectNode gsi = indexes.addObject();
                gsi.put("name", index.name());
                gsi.put("hash_key", index.partitionKey());
                index.sortKey().ifPresent(s -> gsi.put("range_key", s));
                gsi.put("projection_type", "ALL");
            }
        }
        resource.putObject("point_in_time_recovery").put("enabled", true);
        resource.putObject("tags").put("strata_table", table.name());
        return resource;
    }

    /** Regenerates the file: {@code TerraformGenerator [path]}, by default {@value #FILE} under the repository root. */
    public static void main(String[] args) throws IOException {
        Path target = args.length > 0 ? Path.of(args[0]) : repositoryRoot().resolve(FILE);
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, generate(Tables.all()), StandardCharsets.UTF_8);
        System.out.println("wrote " + target);
    }

    /** The directory holding the reactor's pom.xml and dynamo-tables/, found from Maven's hint or the working directory. */
    public static Path repositoryRoot() {
        String hint = System.getProperty("maven.multiModuleProjectDirectory", System.getenv("STRATA_REPO_ROOT"));
        if (hint != null && Files.isDirectory(Path.of(hint, "dynamo-tables"))) {
            return Path.of(hint);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("dynamo-tables"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root (a directory with pom.xml and dynamo-tables/) from "
                + Path.of("").toAbsolutePath() + "; pass the output path as the first argument");
    }
}
