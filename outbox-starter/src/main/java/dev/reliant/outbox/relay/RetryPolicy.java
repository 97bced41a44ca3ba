package dev.reliant.outbox.relay;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import dev.reliant.outbox.NonRetryablePublishException;
import io.github.resilience4j.core.IntervalFunction;

/**
 * Decides what happens to a message whose publication failed: try again after an exponentially growing,
 * jittered delay, or park it, because the failure is one another attempt cannot fix or the attempts ran out.
 */
public class RetryPolicy {

    private final IntervalFunction backoff;

    private final int maxAttempts;

    private final List<Class<? extends Throwable>> nonRetryable;

    /**
     * @param backoff the delay after the n-th failed attempt (n starting at 1)
     * @param maxAttempts attempts after which a message is parked
     * @param nonRetryable exception types (anywhere in the cause chain) that park a message at once, besides
     * {@link NonRetryablePublishException}
     */
    public RetryPolicy(IntervalFunction backoff, int maxAttempts, List<Class<? extends Throwable>> nonRetryable) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
        this.nonRetryable = List.copyOf(nonRetryable);
    }

    /**
     * Exponential backoff with jitter: {@code initial * multiplier^(n-1)}, randomised by
     * {@code ±randomizationFactor}, capped at {@code max}.
     */
    public static IntervalFunction exponentialWithJitter(Duration initial, double multiplier,
            double randomizationFactor, Duration max) {
        return IntervalFunction.ofExponentialRandomBackoff(initial, multiplier, randomizationFactor, max);
    }

    /**
     * The delay before the next attempt, or empty when the message must be parked.
     * @param attempt the attempt that failed, starting at 1
     */
    public Optional<Duration> nextDelay(int attempt, Throwable failure) {
        if (attempt >= maxAttempts || isNonRetryable(failure)) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(backoff.apply(attempt)));
    }

    public boolean isNonRetryable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof NonRetryablePublishException) {
                return true;
            }
            for (Class<? extends Throwable> type : nonRetryable) {
                if (type.isInstance(cause)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The failure a caller should see: without the wrappers that futures add. */
    static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
