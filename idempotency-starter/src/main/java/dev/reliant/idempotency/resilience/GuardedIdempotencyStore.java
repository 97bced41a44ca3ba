package dev.reliant.idempotency.resilience;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.Eviction;
import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.metrics.IdempotencyMetrics;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.dao.DataIntegrityViolationException;

/**
 * The store as the filter uses it: every call waits at most the time limiter's timeout (on the calling thread, no
 * extra thread), passes through a circuit breaker, is timed, and fails with
 * {@link IdempotencyStoreInputException} when the store refused the request's values (which the circuit breaker
 * does not count: one client's over-long key must not shut idempotency off for everyone), else with
 * {@link IdempotencyStoreUnavailableException} whatever went wrong.
 * <p>
 * Claims and reads pass one circuit breaker, the calls that settle a running request (renew, complete, release)
 * another: a burst of failing claims must not keep a request that already ran from recording its outcome.
 */
public class GuardedIdempotencyStore {

    private final IdempotencyStore store;

    private final CircuitBreaker circuitBreaker;

    private final CircuitBreaker settleCircuitBreaker;

    private final TimeLimiter timeLimiter;

    private final IdempotencyMetrics metrics;

    private final ObservationRegistry observations;

    public GuardedIdempotencyStore(IdempotencyStore store, CircuitBreaker circuitBreaker,
            CircuitBreaker settleCircuitBreaker, TimeLimiter timeLimiter, IdempotencyMetrics metrics,
            ObservationRegistry observations) {
        this.store = store;
        this.observations = observations;
        this.circuitBreaker = circuitBreaker;
        this.settleCircuitBreaker = settleCircuitBreaker;
        this.timeLimiter = timeLimiter;
        this.metrics = metrics;
    }

    public ClaimResult claim(String key, String owner, String fingerprint, Duration lease, Duration retention) {
        return observed("claim", () -> call("claim", circuitBreaker,
                () -> store.claim(key, owner, fingerprint, lease, retention)));
    }

    /**
     * Renews a lease without waiting for the answer, so that one heartbeat thread can renew every due lease at once
     * (a Redis client pipelines them on its connection). The returned future fails like the other calls do, with
     * the time limiter's timeout as its own.
     */
    public CompletableFuture<Boolean> renew(String key, String owner, Duration lease) {
        long start = System.nanoTime();
        long permitted;
        try {
            permitted = permit("renew", settleCircuitBreaker, start);
        }
        catch (IdempotencyStoreUnavailableException ex) {
            return CompletableFuture.failedFuture(ex);
        }
        CompletableFuture<Boolean> renewal;
        try {
            renewal = store.renew(key, owner, lease);
        }
        catch (RuntimeException ex) {
            renewal = CompletableFuture.failedFuture(ex);
        }
        return renewal
            .orTimeout(timeLimiter.getTimeLimiterConfig().getTimeoutDuration().toMillis(), TimeUnit.MILLISECONDS)
            .handle((renewed, ex) -> {
                if (ex != null) {
                    throw failed("renew", settleCircuitBreaker, start, permitted, ex);
                }
                succeeded("renew", settleCircuitBreaker, start, permitted, renewed);
                return renewed;
            });
    }

    public boolean complete(String key, String owner, String fingerprint, RecordState state, StoredResponse response,
            Duration retention) {
        return observed("complete", () -> call("complete", settleCircuitBreaker,
                () -> store.complete(key, owner, fingerprint, state, response, retention)));
    }

    public boolean release(String key, String owner) {
        return observed("release", () -> call("release", settleCircuitBreaker, () -> store.release(key, owner)));
    }

    public Optional<IdempotencyRecord> find(String key) {
        return call("find", circuitBreaker, () -> store.find(key));
    }

    public Eviction evict(String key, boolean inProgressToo) {
        return call("evict", circuitBreaker, () -> store.evict(key, inProgressToo));
    }

    /** The circuit breaker's state, for health reporting. */
    public CircuitBreaker.State circuitState() {
        return circuitBreaker.getState();
    }

    /**
     * A store call as an observation, so Boot's tracing makes a span of it inside the request's. Lease renewals,
     * made every few seconds from the heartbeat's thread for every running request, are left out.
     */
    private <T> T observed(String operation, Supplier<T> call) {
        return Observation.createNotStarted("reliant.idempotency.store", observations)
            .contextualName("idempotency " + operation)
            .lowCardinalityKeyValue("operation", operation)
            .observe(call);
    }

    private <T> T call(String operation, CircuitBreaker breaker, Supplier<CompletableFuture<T>> call) {
        long start = System.nanoTime();
        long permitted = permit(operation, breaker, start);
        try {
            T result = timeLimiter.executeFutureSupplier(call::get);
            succeeded(operation, breaker, start, permitted, result);
            return result;
        }
        catch (Exception ex) {
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw failed(operation, breaker, start, permitted, ex);
        }
    }

    /** Acquires the breaker's permission for a call; returns the breaker's timestamp of it. */
    private long permit(String operation, CircuitBreaker breaker, long start) {
        try {
            breaker.acquirePermission();
        }
        catch (CallNotPermittedException ex) {
            metrics.storeCall(operation, false, System.nanoTime() - start);
            throw new IdempotencyStoreUnavailableException("Idempotency store circuit " + breaker.getName() + " is open",
                    ex);
        }
        return breaker.getCurrentTimestamp();
    }

    private void succeeded(String operation, CircuitBreaker breaker, long start, long permitted, Object result) {
        breaker.onResult(breaker.getCurrentTimestamp() - permitted, breaker.getTimestampUnit(), result);
        metrics.storeCall(operation, true, System.nanoTime() - start);
    }

    /** Records a failed call and returns the exception that reports it. */
    private RuntimeException failed(String operation, CircuitBreaker breaker, long start, long permitted,
            Throwable failure) {
        metrics.storeCall(operation, false, System.nanoTime() - start);
        Throwable cause = ((failure instanceof ExecutionException || failure instanceof CompletionException)
                && failure.getCause() != null) ? failure.getCause() : failure;
        if (isInputError(cause)) {
            breaker.releasePermission();
            return new IdempotencyStoreInputException("Idempotency store refused " + operation + ": " + cause, cause);
        }
        breaker.onError(breaker.getCurrentTimestamp() - permitted, breaker.getTimestampUnit(), cause);
        if (cause instanceof TimeoutException) {
            return new IdempotencyStoreUnavailableException("Idempotency store did not answer " + operation
                    + " within " + timeLimiter.getTimeLimiterConfig().getTimeoutDuration(), cause);
        }
        return new IdempotencyStoreUnavailableException("Idempotency store " + operation + " failed: " + cause, cause);
    }

    /**
     * Whether the store refused the values of the call (a database refuses a value longer than its column with a
     * data exception, SQLState class 22, which Spring translates to a {@link DataIntegrityViolationException}); the
     * same call would fail again however healthy the store is.
     */
    private static boolean isInputError(Throwable failure) {
        return failure instanceof IllegalArgumentException || failure instanceof DataIntegrityViolationException;
    }
}
