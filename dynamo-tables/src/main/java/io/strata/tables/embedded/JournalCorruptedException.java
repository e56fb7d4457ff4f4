package io.strata.tables.embedded;

/**
 * A journal is damaged somewhere other than its last record, so replaying it would silently drop or invent data.
 * The store refuses to open rather than guess; the message names the file and offset.
 */
public final class JournalCorruptedException extends RuntimeException {

    public JournalCorruptedException(String message) {
        super(message);
    }

    public JournalCorruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
