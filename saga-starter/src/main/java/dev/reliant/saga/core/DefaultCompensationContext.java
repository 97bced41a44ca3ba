package dev.reliant.saga.core;

import java.util.Optional;

import dev.reliant.saga.CompensationContext;
import tools.jackson.databind.json.JsonMapper;

record DefaultCompensationContext(String sagaId, String sagaName, String stepName, int attempt,
        ActionState actionState, String resultJson, JsonMapper json) implements CompensationContext {

    @Override
    public String idempotencyKey() {
        return sagaId + ":" + stepName;
    }

    @Override
    public <T> Optional<T> result(Class<T> type) {
        if (resultJson == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(json.readValue(resultJson, type));
    }

}
