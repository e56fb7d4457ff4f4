package io.strata.functions.launch;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One split job to run, as checked by {@link SplitJobs}.
 *
 * @param taskId         the task it reports to
 * @param taskToken      the secret it proves itself with on status updates (STRATA_TASK_TOKEN); only its digest is stored
 * @param taskData       the seed's task_data, passed on as TASK_DATA
 * @param containerImage the image a Kubernetes Job runs
 * @param storageSize    the work volume's size, a Kubernetes quantity ("1Gi")
 * @param callerBaseUrl  the URL this control plane was called at on the local machine, if known (the local launcher
 *                       points its child there)
 */
public record SplitJob(String taskId, String taskToken, ObjectNode taskData, String containerImage, String storageSize,
                       String callerBaseUrl) {
}
