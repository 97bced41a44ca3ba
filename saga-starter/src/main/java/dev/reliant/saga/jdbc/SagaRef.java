package dev.reliant.saga.jdbc;

import java.util.UUID;

/**
 * A saga as seen by its current owner: the fencing {@code generation} goes with every write, so a write made
 * after another process took the saga over matches no row and is refused.
 */
public record SagaRef(UUID id, String name, long generation) {
}
