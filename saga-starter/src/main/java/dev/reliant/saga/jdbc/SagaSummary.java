package dev.reliant.saga.jdbc;

import java.time.Instant;
import java.util.UUID;

import dev.reliant.saga.SagaState;

/** One saga as shown to operators. */
public record SagaSummary(UUID id, String name, SagaState state, String owner, long generation, String failure,
        Instant createdAt, Instant updatedAt) {
}
