package dev.reliant.saga;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import dev.reliant.saga.SagaCompensationTest.Payment;
import dev.reliant.saga.SagaCompensationTest.Receipt;
import dev.reliant.saga.recovery.SagaRecoveryWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a compensation handler is told, and how its arguments are checked when recorded and when read back. */
class CompensationHandlerTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();

    private final ApplicationContextRunner runner = SagaTestContexts.runner(database.schema())
        .withBean(Refunds.class);

    @Test
    void handlerIsToldWhatTheLogKnewOfTheAction() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            Refunds refunds = context.getBean(Refunds.class);
            AtomicReference<String> id = new AtomicReference<>();
            assertThatThrownBy(() -> sagas.run("states", saga -> {
                id.set(saga.id());
                saga.step("returned", () -> new Receipt("r-1", 100), refund("p-1"));
                saga.step("threw", () -> {
                    throw new IllegalStateException("timed out");
                }, refund("p-2"));
            })).hasMessage("timed out");
            assertThat(refunds.calls).containsExactly("threw FAILED Optional.empty",
                    "returned DONE Optional[Receipt[id=r-1, cents=100]]");

            // an owner that died while its action ran left only the intent
            UUID orphan = UUID.randomUUID();
            database.jdbc().update("INSERT INTO reliant_saga (id, name, state, owner_id, generation, lease_until,"
                    + " parallel, continue_on_error) VALUES (?, 'states', 'RUNNING', 'dead', 1,"
                    + " now() - interval '1 minute', false, false)", orphan);
            database.jdbc().update("INSERT INTO reliant_saga_step (saga_id, seq, name, handler, args, state)"
                    + " VALUES (?, 1, 'in-flight', 'refund', '[{\"id\":\"p-3\",\"cents\":300}, []]', 'STARTED')", orphan);
            assertThat(context.getBean(SagaRecoveryWorker.class).recoverOrphans()).isEqualTo(1);
            assertThat(refunds.calls).last().isEqualTo("in-flight INTENT_ONLY Optional.empty");
        });
    }

    @Test
    void stepWhoseArgumentsDoNotFitItsHandlerFailsBeforeItsAction() {
        runner.run(context -> {
            SagaManager sagas = context.getBean(SagaManager.class);
            List<String> ran = new CopyOnWriteArrayList<>();
            assertThatThrownBy(() -> sagas.run("mismatch", saga -> saga.step("charge", () -> ran.add("charge"),
                    DurableCompensation.of("refund", new Receipt("r-1", 100), List.of()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takes a " + Payment.class.getName() + " as argument 1")
                .hasMessageContaining(Receipt.class.getName());
            assertThatThrownBy(() -> sagas.run("mismatch", saga -> saga.step("charge", () -> ran.add("charge"),
                    DurableCompensation.of("refund", new Payment("p-1", 100)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takes 2 argument(s), the step gave 1");
            assertThatThrownBy(() -> sagas.run("mismatch", saga -> saga.step("charge", () -> ran.add("charge"),
                    DurableCompensation.of("refund", new Payment("p-1", 100), List.of(), "extra"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takes 2 argument(s), the step gave 3");
            assertThat(ran).isEmpty();
            assertThat(database.jdbc().queryForObject("SELECT count(*) FROM reliant_saga WHERE name = 'mismatch'",
                    Long.class)).isZero();
        });
    }

    @Test
    void argumentsRecordedForAnotherVersionOfTheHandlerLeaveTheSagaStuckWithoutCallingIt() {
        runner.run(context -> {
            Refunds refunds = context.getBean(Refunds.class);
            // recorded by a deploy whose handler took the payment only; this one also takes the tags
            UUID older = UUID.randomUUID();
            database.jdbc().update("INSERT INTO reliant_saga (id, name, state, owner_id, generation, lease_until,"
                    + " parallel, continue_on_error) VALUES (?, 'versioned', 'RUNNING', 'old-deploy', 1,"
                    + " now() - interval '1 minute', false, false)", older);
            database.jdbc().update("INSERT INTO reliant_saga_step (saga_id, seq, name, handler, args, state)"
                    + " VALUES (?, 1, 'charge', 'refund', '[{\"id\":\"p-9\",\"cents\":900}]', 'DONE')", older);
            assertThat(context.getBean(SagaRecoveryWorker.class).recoverOrphans()).isEqualTo(1);
            assertThat(refunds.calls).isEmpty();
            Map<String, Object> step = database.jdbc().queryForMap("SELECT s.state, st.attempts, st.last_error"
                    + " FROM reliant_saga s JOIN reliant_saga_step st ON st.saga_id = s.id WHERE s.id = ?", older);
            assertThat(step).containsEntry("state", "STUCK").containsEntry("attempts", 1);
            assertThat((String) step.get("last_error")).contains("takes 2 argument(s)")
                .contains("recorded with 1");
        });
    }

    private static DurableCompensation refund(String paymentId) {
        return DurableCompensation.of("refund", new Payment(paymentId, 100), List.of());
    }

    static class Refunds {

        final List<String> calls = new CopyOnWriteArrayList<>();

        @Compensation("refund")
        void refund(Payment payment, List<String> tags, CompensationContext context) {
            calls.add(context.stepName() + " " + context.actionState() + " " + context.result(Receipt.class));
        }

    }

}
