package io.strata.functions.launch;

import io.strata.sdk.SplitterContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment every split job gets, as the splitter SDK's {@link SplitterContext} reads it: the task, and the
 * control plane's task-status, model-layer and block endpoints under one base URL.
 */
final class SplitJobEnvironment {

    /** Where TransformerSplitter writes its splits ({@code STRATA_SPLIT_WORK_DIR}). */
    static final String WORK_DIR = "STRATA_SPLIT_WORK_DIR";
    /** The SDK's clients send it as a bearer token when the control plane requires one. */
    static final String API_TOKEN = "STRATA_API_TOKEN";
    /** The job's own task token: status updates without it are refused. */
    static final String TASK_TOKEN = SplitterContext.TASK_TOKEN;

    private SplitJobEnvironment() {
    }

    static Map<String, String> of(SplitJob job, String baseUrl) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        Map<String, String> env = new LinkedHashMap<>();
        env.put(SplitterContext.TASK_ID, job.taskId());
        env.put(SplitterContext.TASK_DATA, job.taskData().toString());
        env.put(SplitterContext.TASK_STATUS_UPDATE_URL, base + "/task-status");
        env.put(SplitterContext.MODEL_LAYERS_REGISTRY_URL, base);
        env.put(SplitterContext.BLOCK_DB_URL, base);
        env.put(TASK_TOKEN, job.taskToken());
        return env;
    }
}
