package dev.reliant.saga;

import java.util.UUID;

import dev.reliant.saga.actuate.SagaEndpoint;
import dev.reliant.saga.actuate.SagaHealthIndicator;
import dev.reliant.saga.jdbc.SagaSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.health.contributor.Status;

import static dev.reliant.saga.SagaCompensationTest.failingSaga;
import static org.assertj.core.api.Assertions.assertThat;

/** A saga whose compensation keeps failing: stuck, visible, and brought back by an operator. */
class StuckSagaTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();


    private String state(String sagaId) {
        return database.jdbc().queryForObject("SELECT state FROM reliant_saga WHERE id = ?::uuid", String.class, sagaId);
    }

    @Test
    void stuckSagaIsReportedByHealthAndRetriedOrResolvedThroughTheEndpoint() {
        SagaTestContexts.runner(database.schema())
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withPropertyValues("management.endpoints.web.exposure.include=health,sagas")
            .run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Ledger ledger = context.getBean(Ledger.class);
            SagaHealthIndicator health = context.getBean(SagaHealthIndicator.class);
            SagaEndpoint endpoint = context.getBean(SagaEndpoint.class);
            assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);

            ledger.failNext("k2", Integer.MAX_VALUE);
            String retried = failingSaga(sagas, ledger, null, "k1", "k2");
            String resolved = failingSaga(sagas, ledger, null, "k1", "k2");
            assertThat(state(retried)).isEqualTo("STUCK");
            assertThat(health.health(true).getStatus()).isEqualTo(SagaHealthIndicator.STUCK);
            assertThat(health.health(true).getDetails()).containsEntry("stuck", 2L);
            assertThat(endpoint.list(null)).extracting(SagaSummary::id)
                .contains(UUID.fromString(retried), UUID.fromString(resolved));
            assertThat(context.getBean(MeterRegistry.class).counter("reliant.saga.stuck", "saga", "failing").count())
                .isEqualTo(2);

            assertThat(endpoint.act(UUID.fromString(retried), "retry")).containsEntry("state", "STUCK");
            ledger.heal("k2");
            assertThat(endpoint.act(UUID.fromString(retried), "retry")).containsEntry("state", "COMPENSATED");
            assertThat(ledger.released(retried)).containsExactly("k2", "k1");
            assertThat(endpoint.act(UUID.fromString(retried), "retry")).containsEntry("state", "NOT_STUCK");

            assertThat(endpoint.act(UUID.fromString(resolved), "resolve")).containsEntry("resolved", true);
            assertThat(state(resolved)).isEqualTo("RESOLVED");
            assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
            assertThat(endpoint.list(SagaState.COMPENSATED)).extracting(SagaSummary::id)
                .contains(UUID.fromString(retried));
        });
    }

}
