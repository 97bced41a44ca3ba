package dev.reliant.idempotency.actuate;

import java.time.Instant;
import java.util.Map;

import dev.reliant.idempotency.Eviction;
import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.outcome.OutcomeLog;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.idempotency.web.ScopeResolvers;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * {@code /actuator/idempotency/{scope}/{key}}: shows a key's record (never its body or fingerprint) and evicts it, so
 * an operator can let a client run a request again. Evicting also forgets the key's durable outcome, which would
 * otherwise answer the request again; a record in progress is evicted only with {@code force=true}. A scope is
 * written as the filter makes it: {@code user:alice}, {@code tenant:acme}, {@code anonymous} or {@code global}.
 */
@Endpoint(id = "idempotency")
public class IdempotencyEndpoint {

    private static final int STATUS_CONFLICT = 409;

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

    /**
     * Evicts a key's record and its durable outcome. A record in progress is kept, with 409, unless {@code force}:
     * its request may still be running, and a retry of a free key would run it a second time alongside.
     */
    @DeleteOperation
    public WebEndpointResponse<Map<String, Object>> evict(@Selector String scope, @Selector String key,
            @Nullable Boolean force) {
        String storageKey = ScopeResolvers.storageKey(scope, key);
        Eviction eviction = store.evict(storageKey, Boolean.TRUE.equals(force));
        if (eviction == Eviction.IN_PROGRESS) {
            return new WebEndpointResponse<>(Map.of("evicted", false, "state", RecordState.IN_PROGRESS, "detail",
                    "A request with this key is still in progress (or its owner stopped without finishing): "
                            + "evicting it would let a retry run alongside it. force=true evicts it anyway."),
                    STATUS_CONFLICT);
        }
        boolean outcome = outcomes != null && outcomes.delete(storageKey);
        return new WebEndpointResponse<>(Map.of("evicted", eviction == Eviction.EVICTED || outcome));
    }

    /**
     * What an operator may see of a record. Not its fingerprint: a hash of the request without a secret, from which
     * a request's content (an amount, say) can be recovered by trying candidates.
     */
    public record RecordDescriptor(RecordState state, Integer status, Integer bodyBytes, Instant expiresAt) {

        static RecordDescriptor of(IdempotencyRecord record) {
            return new RecordDescriptor(record.state(),
                    (record.response() != null) ? record.response().status() : null,
                    (record.response() != null) ? record.response().body().length : null, record.expiresAt());
        }
    }
}
