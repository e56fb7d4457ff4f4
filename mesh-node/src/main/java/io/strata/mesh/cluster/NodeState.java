package io.strata.mesh.cluster;

/**
 * Where a node stands in its cluster, as {@code /health} reports it: {@code joining} (not yet in
 * a view, or too recently to have heard the others), {@code isolated} (its view lists members it
 * no longer hears from, or it stands alone although it was given peers: it was stopped, or cut
 * off, and waits to be merged back), {@code ready} (in a view whose members it hears).
 */
public enum NodeState {
    JOINING,
    ISOLATED,
    READY;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
