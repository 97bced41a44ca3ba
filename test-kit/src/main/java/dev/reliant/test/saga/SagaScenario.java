package dev.reliant.test.saga;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import dev.reliant.saga.Saga;
import dev.reliant.saga.SagaManager;
import dev.reliant.saga.SagaOptions;
import dev.reliant.saga.SagaState;
import dev.reliant.saga.core.LeaseKeeper;
import dev.reliant.saga.core.SagaEngine;
import dev.reliant.saga.core.SagaExecution;
import dev.reliant.saga.jdbc.JdbcSagaLog;
import dev.reliant.saga.jdbc.SagaSummary;
import dev.reliant.saga.recovery.SagaAdministration;
import dev.reliant.saga.recovery.SagaRecoveryWorker;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Runs a saga body with a failure or a crash injected right after a named step, and reports which compensations
 * ran:
 * <pre class="code">
 * SagaRun run = scenario.crashAfter("charge-payment").run("place-order", saga -&gt; {
 *     saga.step("reserve-stock", () -&gt; inventory.reserve(reservationId, sku, 1),
 *             DurableCompensation.of("release-stock", reservationId));
 *     saga.step("charge-payment", () -&gt; payments.charge(chargeId, 500),
 *             DurableCompensation.of("refund-payment", chargeId));
 *     saga.step("confirm", () -&gt; orders.confirm(orderId), DurableCompensation.of("cancel-order", orderId));
 * });
 * run.assertCompensatedOnce();
 * </pre>
 * <ul>
 * <li>{@link #failAfter(String)}: the body throws right after the step returned, and the process goes on: the saga
 * runs through the application's {@link SagaManager}, which compensates it at once.</li>
 * <li>{@link #crashAfter(String)}: the process stops right after the step returned. The saga runs under an owner
 * of its own that stands for another process; at the crash nothing of that owner runs any more: the body does not
 * go on, the saga is neither completed nor compensated by it, and its lease is no longer renewed. The lease runs
 * out ({@link #CRASHED_OWNER_LEASE} after the last renewal), and the application's recovery takes the saga over
 * and compensates what the log holds, as after a real crash. In-memory compensations die with the crashed
 * process, so they never run.</li>
 * </ul>
 * The body must take its steps on the {@link Saga} it is given (not on a request-scoped one), and must not catch
 * the exception that interrupts it. Do not run a scenario inside a transaction: a saga failing inside one is
 * compensated only after it ended.
 */
public class SagaScenario {

    /** How long the lease of the crashed owner lasts: its sagas are recovered this long after the crash. */
    public static final Duration CRASHED_OWNER_LEASE = Duration.ofSeconds(1);

    private static final Duration CRASHED_OWNER_RENEWAL = Duration.ofMillis(250);

    private static final Set<SagaState> FINISHED = EnumSet.of(SagaState.COMPLETED, SagaState.COMPENSATED,
            SagaState.STUCK, SagaState.RESOLVED);

    private final SagaManager sagas;

    private final SagaEngine engine;

    private final JdbcSagaLog sagaLog;

    private final SagaAdministration administration;

    private final SagaRecoveryWorker recovery;

    private final CompensationRecorder recorder;

    private final Duration recoveryTimeout;

    public SagaScenario(SagaManager sagas, SagaEngine engine, JdbcSagaLog sagaLog, LeaseKeeper leases,
            SagaAdministration administration, CompensationRecorder recorder) {
        this(sagas, engine, sagaLog, administration, recorder, Duration.ofSeconds(60),
                new SagaRecoveryWorker(engine, sagaLog, leases.owner(), leases.lease(), Duration.ofSeconds(1), 50,
                        Duration.ofDays(7)));
    }

    private SagaScenario(SagaManager sagas, SagaEngine engine, JdbcSagaLog sagaLog,
            SagaAdministration administration, CompensationRecorder recorder, Duration recoveryTimeout,
            SagaRecoveryWorker recovery) {
        this.sagas = sagas;
        this.engine = engine;
        this.sagaLog = sagaLog;
        this.administration = administration;
        this.recorder = recorder;
        this.recoveryTimeout = recoveryTimeout;
        this.recovery = recovery;
    }

    /** This scenario waiting at most {@code timeout} for a crashed saga's recovery (60 s unless set). */
    public SagaScenario recoveryTimeout(Duration timeout) {
        return new SagaScenario(sagas, engine, sagaLog, administration, recorder, timeout, recovery);
    }

    /** A run whose body throws {@link InjectedFailure} right after the step {@code step} returned. */
    public Interrupted failAfter(String step) {
        return new Interrupted(step, false);
    }

    /** A run whose process stops right after the step {@code step} returned, and is recovered. */
    public Interrupted crashAfter(String step) {
        return new Interrupted(step, true);
    }

    /** A saga about to run with a failure or a crash after one of its steps. */
    public final class Interrupted {

        private final String step;

        private final boolean crash;

        private Interrupted(String step, boolean crash) {
            this.step = step;
            this.crash = crash;
        }

        /** Runs {@code body} as the saga {@code name} with the configured options; see {@link SagaScenario}. */
        public SagaRun run(String name, Consumer<Saga> body) {
            return run(name, null, body);
        }

        /** Runs {@code body} as the saga {@code name} with {@code options}, or the configured ones when null. */
        public SagaRun run(String name, SagaOptions options, Consumer<Saga> body) {
            return crash ? crash(name, options, body, step) : fail(name, options, body, step);
        }

    }

    private SagaRun fail(String name, SagaOptions options, Consumer<Saga> body, String step) {
        ScenarioSaga[] scenario = new ScenarioSaga[1];
        try {
            sagas.run(name, options, saga -> {
                scenario[0] = new ScenarioSaga(saga, step, () -> new InjectedFailure(step), recorder);
                body.accept(scenario[0]);
            });
        }
        catch (InjectedFailure expected) {
            return finished(scenario[0], false);
        }
        throw new AssertionError("Saga '" + name + "' never took the step '" + step + "' to fail after");
    }

    private SagaRun crash(String name, SagaOptions options, Consumer<Saga> body, String step) {
        LeaseKeeper crashing = new LeaseKeeper(sagaLog, "crashed-" + UUID.randomUUID().toString().substring(0, 8),
                CRASHED_OWNER_LEASE, CRASHED_OWNER_RENEWAL);
        crashing.afterPropertiesSet();
        SagaExecution execution = engine.withLeases(crashing).start(name, options);
        ScenarioSaga scenario = new ScenarioSaga(execution, step, () -> new ProcessStopped(step), recorder);
        try {
            body.accept(scenario);
        }
        catch (ProcessStopped stopped) {
            // what a crash leaves: a saga nobody completes, compensates or renews
            stopRenewing(crashing);
            awaitRecovery(scenario.id());
            return finished(scenario, true);
        }
        catch (RuntimeException | Error ex) {
            stopRenewing(crashing);
            execution.fail(ex);
            throw ex;
        }
        stopRenewing(crashing);
        execution.complete();
        throw new AssertionError("Saga '" + name + "' never took the step '" + step + "' to crash after");
    }

    private static void stopRenewing(LeaseKeeper leases) {
        try {
            leases.destroy();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while the crashed owner's lease keeper stopped", ex);
        }
    }

    private void awaitRecovery(String id) {
        try {
            Awaitility.await("recovery of saga " + id)
                .atMost(recoveryTimeout)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    recovery.recoverOrphans();
                    return state(id) == null || FINISHED.contains(state(id));
                });
        }
        catch (ConditionTimeoutException ex) {
            throw new AssertionError("Saga " + id + " was not recovered within " + recoveryTimeout + "; it is "
                    + state(id), ex);
        }
    }

    private SagaRun finished(ScenarioSaga scenario, boolean crashed) {
        String id = scenario.id();
        return new SagaRun(id, crashed, state(id), scenario.taken(), recorder.callsOf(id));
    }

    private SagaState state(String id) {
        return administration.find(UUID.fromString(id)).map(SagaSummary::state).orElse(null);
    }

    /** The failure {@link #failAfter(String)} injects. */
    public static final class InjectedFailure extends RuntimeException {

        InjectedFailure(String step) {
            super("Failure injected after step '" + step + "'");
        }

    }

    /** Stops the body of a {@link #crashAfter(String)} run; it never leaves the scenario. */
    static final class ProcessStopped extends RuntimeException {

        ProcessStopped(String step) {
            super("Process stopped after step '" + step + "'", null, false, false);
        }

    }

}
