package io.strata.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;

/**
 * The split job's environment as typed values (the seed's Context): the task id, the task
 * data and the control-plane URLs the job reports to.
 *
 * <p>{@code TASK_ID}, {@code TASK_DATA} (a JSON object) and {@code TASK_STATUS_UPDATE_URL} are
 * required; the registry URLs are optional because a splitter that registers nothing does
 * not need them. task_data fields are checked for their type when present and for their
 * presence only when asked for, since which ones a splitter needs is its own business.
 */
public final class SplitterContext {
    public static final String TASK_ID = "TASK_ID";
    public static final String TASK_DATA = "TASK_DATA";
    public static final String TASK_STATUS_UPDATE_URL = "TASK_STATUS_UPDATE_URL";
    public static final String MODEL_LAYERS_REGISTRY_URL = "MODEL_LAYERS_REGISTRY_URL";
    public static final String BLOCK_DB_URL = "BLOCK_DB_URL";
    /** The task's own secret, sent with every status update (the control plane refuses updates without it). */
    public static final String TASK_TOKEN = "STRATA_TASK_TOKEN";

    private final String taskId;
    private final ObjectNode taskData;
    private final URI taskStatusUpdateUrl;
    private final URI modelLayersRegistryUrl;
    private final URI blockDbUrl;
    private final Map<String, String> environment;

    private SplitterContext(String taskId, ObjectNode taskData, URI taskStatusUpdateUrl,
                            URI modelLayersRegistryUrl, URI blockDbUrl, Map<String, String> environment) {
        this.taskId = taskId;
        this.taskData = taskData;
        this.taskStatusUpdateUrl = taskStatusUpdateUrl;
        this.modelLayersRegistryUrl = modelLayersRegistryUrl;
        this.blockDbUrl = blockDbUrl;
        this.environment = environment;
    }

    /** Reads and checks the split job's variables; any problem is one IllegalArgumentException naming the variable. */
    public static SplitterContext fromEnvironment(Map<String, String> env) {
        if (env == null) {
            throw new IllegalArgumentException("no environment given");
        }
        String taskId = env.get(TASK_ID);
        if (taskId == null || taskId.isBlank()) {
            throw new IllegalArgumentException(TASK_ID + " is not set — the split job needs the id of the task it reports to");
        }
        ObjectNode taskData = parseTaskData(env.get(TASK_DATA));
        checkTaskDataTypes(taskData);
        URI statusUrl = httpUrl(env, TASK_STATUS_UPDATE_URL, true);
        return new SplitterContext(taskId.strip(), taskData, statusUrl,
                httpUrl(env, MODEL_LAYERS_REGISTRY_URL, false), httpUrl(env, BLOCK_DB_URL, false), Map.copyOf(env));
    }

    public String taskId() {
        return taskId;
    }

    /** A copy of TASK_DATA: changing it does not change the context. */
    public ObjectNode taskData() {
        return taskData.deepCopy();
    }

    public URI taskStatusUpdateUrl() {
        return taskStatusUpdateUrl;
    }

    public Optional<URI> modelLayersRegistryUrl() {
        return Optional.ofNullable(modelLayersRegistryUrl);
    }

    public Optional<URI> blockDbUrl() {
        return Optional.ofNullable(blockDbUrl);
    }

    /** The whole environment the context was read from, for settings beyond the seed's (S3 credentials, say). */
    public Map<String, String> environment() {
        return environment;
    }

    /** task_data.model_name. */
    public String modelName() {
        return requiredText("model_name");
    }

    /** task_data.model_download_url: http(s), file: or s3:// (see {@link FileDownloader}). */
    public String modelDownloadUrl() {
        return requiredText("model_download_url");
    }

    /** task_data.world_size: how many splits to make, at least 1. */
    public int worldSize() {
        JsonNode n = taskData.get("world_size");
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException(TASK_DATA + " has no world_size — say how many splits to make, e.g. \"world_size\": 4");
        }
        return n.intValue();
    }

    /** task_data.model_split_config, or an empty object when absent; a copy. */
    public ObjectNode modelSplitConfig() {
        JsonNode n = taskData.get("model_split_config");
        return n == null || n.isNull() ? taskData.objectNode() : (ObjectNode) n.deepCopy();
    }

    private String requiredText(String field) {
        JsonNode n = taskData.get(field);
        if (n == null || n.isNull() || n.asText().isBlank()) {
            throw new IllegalArgumentException(TASK_DATA + " has no " + field + " — this splitter needs it");
        }
        return n.asText();
    }

    private static ObjectNode parseTaskData(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(TASK_DATA + " is not set — it must be a JSON object such as "
                    + "{\"model_name\": \"...\", \"model_download_url\": \"...\", \"world_size\": 2}");
        }
        JsonNode json;
        try {
            json = RegistryHttp.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(TASK_DATA + " is not valid JSON (" + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException(TASK_DATA + " must be a JSON object, got "
                    + (json == null ? "nothing" : json.getNodeType().toString().toLowerCase()));
        }
        return (ObjectNode) json;
    }

    private static void checkTaskDataTypes(ObjectNode data) {
        for (String field : new String[] {"model_name", "model_download_url"}) {
            JsonNode n = data.get(field);
            if (n != null && !n.isNull() && !n.isTextual()) {
                throw new IllegalArgumentException(TASK_DATA + "." + field + " must be a string, got " + n);
            }
        }
        JsonNode worldSize = data.get("world_size");
        if (worldSize != null && !worldSize.isNull()
                && (!worldSize.canConvertToExactIntegral() || !worldSize.canConvertToInt() || worldSize.intValue() < 1)) {
            throw new IllegalArgumentException(TASK_DATA + ".world_size must be a whole number of splits, at least 1, got "
                    + worldSize);
        }
        JsonNode config = data.get("model_split_config");
        if (config != null && !config.isNull() && !config.isObject()) {
            throw new IllegalArgumentException(TASK_DATA + ".model_split_config must be a JSON object, got " + config);
        }
    }

    private static URI httpUrl(Map<String, String> env, String name, boolean required) {
        String text = env.get(name);
        if (text == null || text.isBlank()) {
            if (required) {
                throw new IllegalArgumentException(name + " is not set — the split job needs an http(s) URL for it");
            }
            return null;
        }
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + " is not a URL: " + e.getMessage());
        }
        return requireHttpUrl(name, uri);
    }

    static URI requireHttpUrl(String what, URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException(what + " is missing — give an http(s) URL");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getHost() == null || uri.getHost().isBlank()) {
            throw new IllegalArgumentException(what + " must be an http(s) URL with a host, got \"" + uri + "\"");
        }
        return uri;
    }

    @Override
    public String toString() {
        // Not the environment: it may hold credentials.
        return "SplitterContext[task " + taskId + ", status " + taskStatusUpdateUrl + "]";
    }
}
