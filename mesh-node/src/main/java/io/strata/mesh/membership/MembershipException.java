package io.strata.mesh.membership;

/** The cluster could not be joined or reached; the message says which node, which cluster, and what to check. */
public final class MembershipException extends RuntimeException {
    public MembershipException(String message, Throwable cause) {
        super(message, cause);
    }
}
