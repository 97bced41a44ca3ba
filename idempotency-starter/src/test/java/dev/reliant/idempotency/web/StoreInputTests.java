package dev.reliant.idempotency.web;

import java.net.http.HttpResponse;

import dev.reliant.idempotency.IdempotencyProblems;
import dev.reliant.idempotency.app.RunningApp;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.testsupport.TestPostgres;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import static dev.reliant.idempotency.web.IdempotentEndpointTests.assertProblem;
import static dev.reliant.idempotency.web.IdempotentEndpointTests.newKey;
import static org.assertj.core.api.Assertions.assertThat;

/** A key the store refuses is the request's fault: 400, and never a reason to stop serving everybody else. */
class StoreInputTests {

    @Test
    void keysTheDatabaseRefusesAreBadRequestsAndLeaveTheCircuitClosed() {
        String[] jdbc = RunningApp.jdbc(TestPostgres.newSchema());
        String[] properties = java.util.Arrays.copyOf(jdbc, jdbc.length + 1);
        // longer than the 1,024 characters of the JDBC store's key column
        properties[jdbc.length] = "reliant.idempotency.max-key-length=2000";
        try (RunningApp app = RunningApp.start(properties)) {
            String longKey = "k".repeat(1500);
            for (int i = 0; i < 110; i++) {
                assertProblem(app.post("/api/orders").key(longKey + i).json("{}").send(), 400,
                        IdempotencyProblems.KEY_INVALID.toString());
            }
            assertThat(app.context().getBean(GuardedIdempotencyStore.class).circuitState())
                .isEqualTo(CircuitBreaker.State.CLOSED);
            HttpResponse<byte[]> ordinary = app.post("/api/orders").key(newKey()).json("{}").send();
            assertThat(ordinary.statusCode()).isEqualTo(201);
        }
    }
}
