package io.strata.mesh.transport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The payload of an ERROR frame.
 *
 * @param code    what kind of failure
 * @param nodeId  the node that failed or refused (the gateway excludes it when it fails over), or ""
 * @param message what happened, for logs and the client
 */
public record FrameError(Code code, String nodeId, String message) {
    public enum Code {
        /** The receiving node does not serve that stage (or session) any more: pick another replica. */
        NOT_HERE,
        /** The node has as many sessions as it will take: try another replica, or later. */
        OVERLOADED,
        /** The next node on the path could not be reached: {@code nodeId} names it. */
        PEER_LOST,
        /** The request cannot be served anywhere (bad position, bad token): do not retry. */
        BAD_REQUEST,
        /** The stage failed while computing. */
        INTERNAL,
        /**
         * The node serves the stage but holds no such session any more: it was closed, most often
         * because a node further down the path failed. Replay on a new path; do not blame this node.
         */
        SESSION_GONE
    }

    public FrameError {
        nodeId = nodeId == null ? "" : nodeId;
        message = message == null ? "" : message;
    }

    /** True when another replica may succeed. */
    public boolean retryable() {
        return code != Code.BAD_REQUEST;
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(code.ordinal());
            out.writeUTF(nodeId);
            out.writeUTF(message.length() > 16_000 ? message.substring(0, 16_000) : message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static FrameError decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            int code = in.readUnsignedByte();
            if (code >= Code.values().length) {
                throw new IllegalArgumentException("unknown error code " + code + " in an ERROR frame");
            }
            return new FrameError(Code.values()[code], in.readUTF(), in.readUTF());
        } catch (IOException e) {
            throw new IllegalArgumentException("an ERROR frame's payload is cut short: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return code + (nodeId.isEmpty() ? "" : " (" + nodeId + ")") + ": " + message;
    }
}
