package io.strata.sdk;

import java.time.Duration;

/**
 * How often and how patiently a call to a control-plane service or a download is retried
 * after a transient failure: {@code attempts} tries in all, waiting {@code firstDelay} after
 * the first failure and twice as long after each later one (capped at {@link #MAX_DELAY}).
 */
public record RetryPolicy(int attempts, Duration firstDelay) {
    /** Six tries over about six seconds: rides out a restarting service without hiding a dead one. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofMillis(200));
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO);
    static final Duration MAX_DELAY = Duration.ofSeconds(30);

    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("a retry policy needs at least 1 attempt, got " + attempts);
        }
        if (firstDelay == null || firstDelay.isNegative()) {
            throw new IllegalArgumentException("the first retry delay must be zero or more, got " + firstDelay);
        }
    }

    /** The wait after failed attempt {@code failed} (1-based) before the next one. */
    public Duration delayAfter(int failed) {
        Duration d = firstDelay;
        for (int i = 1; i < failed && d.compareTo(MAX_DELAY) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
    }

    void sleepAfter(int failed) throws java.io.InterruptedIOException {
        try {
            Thread.sleep(delayAfter(failed));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to retry");
        }
    }
}
