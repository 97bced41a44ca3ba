package dev.reliant.outbox.inbox;

import java.util.Optional;

/** Finds the outbox message id in one kind of listener argument. */
@FunctionalInterface
public interface MessageIdResolver {

    /** The id, or empty when the argument is not of this resolver's kind or carries no id. */
    Optional<String> resolve(Object argument);

}
