package io.strata.mesh.transport;

import java.io.IOException;

/**
 * Bytes on a connection that are not a frame Strata sent: a wrong magic or version, an unknown
 * type, a length that disagrees with the header, a checksum that does not match, or a frame cut
 * short. The connection is closed: after one bad frame, nothing later on it can be trusted.
 */
public final class BadFrameException extends IOException {
    public BadFrameException(String message) {
        super(message);
    }
}
