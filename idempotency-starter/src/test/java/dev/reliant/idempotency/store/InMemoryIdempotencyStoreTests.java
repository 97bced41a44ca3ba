package dev.reliant.idempotency.store;

import java.time.Clock;

import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.memory.InMemoryIdempotencyStore;

class InMemoryIdempotencyStoreTests extends IdempotencyStoreContractTests {

    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore(Clock.systemUTC());

    @Override
    protected IdempotencyStore store() {
        return store;
    }
}
