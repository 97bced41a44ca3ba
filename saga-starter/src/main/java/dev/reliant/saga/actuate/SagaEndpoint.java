package dev.reliant.saga.actuate;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reliant.saga.SagaState;
import dev.reliant.saga.jdbc.SagaSummary;
import dev.reliant.saga.recovery.SagaAdministration;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/sagas}: lists sagas by state (stuck by default), shows one, and for a stuck saga runs its
 * compensations again ({@code action=retry}) or records it as handled by hand ({@code action=resolve}).
 */
@Endpoint(id = "sagas")
public class SagaEndpoint {

    private static final int LIST_LIMIT = 100;

    private final SagaAdministration administration;

    public SagaEndpoint(SagaAdministration administration) {
        this.administration = administration;
    }

    @ReadOperation
    public List<SagaSummary> list(@Nullable SagaState state) {
        return administration.list((state != null) ? state : SagaState.STUCK, LIST_LIMIT);
    }

    @ReadOperation
    public SagaSummary saga(@Selector UUID id) {
        return administration.find(id).orElse(null);
    }

    @WriteOperation
    public Map<String, Object> act(@Selector UUID id, String action) {
        return switch (action) {
            case "retry" -> Map.of("id", id, "state", administration.retry(id)
                .map(SagaState::name)
                .orElse("NOT_STUCK"));
            case "resolve" -> Map.of("id", id, "resolved", administration.resolve(id));
            default -> throw new IllegalArgumentException("Unknown action '" + action + "': use retry or resolve");
        };
    }

}
