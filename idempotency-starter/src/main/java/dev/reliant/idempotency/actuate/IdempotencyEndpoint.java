package dev.reliant.idempotency.actuate;

import java.time.Instant;
import java.util.Map;

import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.outcome.OutcomeLog;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.idempotency.web.ScopeResolvers;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/idempotency/{scope}/{key}}: shows a key's record (never its body) and evicts it, so an operator
 * can let a client run a request again. Evicting also forgets the key's durable outcome, which would otherwise answer
 * the request again. A scope is written as the filter makes it: {@code user:alice}, {@code tenant:acme},
 * {@code anonymous} or {@code global}.
 */
@Endpoint(id = "idempotency")
public class IdempotencyEndpoint {

    private final GuardedIdempotencyStore store;

    private final OutcomeLog outcomes;

    /**
     * @param outcomes the durable outcomes; {@code null} without a {@code DataSource}
     */
    public IdempotencyEndpoint(GuardedIdempotencyStore store, OutcomeLog outcomes) {
        this.store = store;
        this.outcomes = outcomes;
    }

    @ReadOperation
    public RecordDescriptor record(@Selector String scope, @Selector String key) {
        return store.find(ScopeResolvers.storageKey(scope, key)).map(RecordDescriptor::of).orElse(null);
    }

    @DeleteOperation
    public Map<String, Boolean> evict(@Selector String scope, @Selector String key) {
        String storageKey = ScopeResolvers.storageKey(scope, key);
        boolean outcome = outcomes != null && outcomes.delete(storageKey);
        return Map.of("evicted", store.evict(storageKey) || outcome);
    }

    /** What an operator may see of a record. */
    public record RecordDescriptor(RecordState state, String fingerprint, Integer status, Integer bodyBytes,
            Instant expiresAt) {

        static RecordDescriptor of(IdempotencyRecord record) {
            return new RecordDescriptor(record.state(), record.fingerprint(),
                    (record.response() != null) ? record.response().status() : null,
                    (record.response() != null) ? record.response().body().length : null, record.expiresAt());
        }
    }
}
