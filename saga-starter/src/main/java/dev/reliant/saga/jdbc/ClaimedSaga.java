package dev.reliant.saga.jdbc;

import dev.reliant.saga.SagaOptions;

/** A saga this process just took ownership of, with the options it was started with. */
public record ClaimedSaga(SagaRef ref, SagaOptions options) {
}
