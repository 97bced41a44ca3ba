package dev.reliant.saga;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

import dev.reliant.saga.autoconfigure.SagaAutoConfiguration;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A process that runs three-step sagas on several threads and halts itself, without any shutdown, when one armed
 * saga reaches the crash point given as argument. Arguments: JDBC URL, user, password, crash point (1 to 20).
 * <p>
 * Points 1 to 10 lie on the way of a saga that succeeds: before the first step, at the start and after the effect
 * of each step's action, between steps, and before the saga is closed. Points 11 to 19 lie in the compensations
 * of a saga whose third action fails after its effect: before the release, after it but before its commit, and
 * after its commit, for steps 3, 2 and 1. Point 20 is before the release of step 1 in a saga whose second action
 * fails before any effect, so step 3 never has an intent.
 */
public final class SagaKillChild {

    static final List<String> STEPS = List.of("s1", "s2", "s3");

    private static volatile String armedSaga;

    private static int crashPoint;

    private SagaKillChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        crashPoint = Integer.parseInt(args[3]);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ChildConfiguration.class)
            .web(WebApplicationType.NONE)
            .properties("spring.datasource.url=" + args[0], "spring.datasource.username=" + args[1],
                    "spring.datasource.password=" + args[2], "spring.datasource.hikari.maximum-pool-size=8",
                    "reliant.saga.owner-id=child", "reliant.saga.lease.duration=2s",
                    "reliant.saga.lease.renew-interval=500ms", "reliant.saga.recovery.enabled=false",
                    "reliant.saga.compensation.max-attempts=3", "reliant.saga.compensation.initial-backoff=10ms")
            .run();
        SagaManager sagas = context.getBean(SagaManager.class);
        Ledger ledger = context.getBean(Ledger.class);

        runQuietly(sagas, ledger, Mode.SUCCEED);
        runQuietly(sagas, ledger, Mode.FAIL_AT_3);
        // sagas on other threads, at random places when the process halts
        CountDownLatch backgroundRunning = new CountDownLatch(4);
        for (int i = 0; i < 2; i++) {
            Thread background = new Thread(() -> {
                Mode[] modes = Mode.values();
                while (true) {
                    runQuietly(sagas, ledger, modes[ThreadLocalRandom.current().nextInt(modes.length)]);
                    backgroundRunning.countDown();
                }
            }, "background-" + i);
            background.setDaemon(true);
            background.start();
        }
        backgroundRunning.await();
        Mode mode = (crashPoint <= 10) ? Mode.SUCCEED : (crashPoint <= 19) ? Mode.FAIL_AT_3 : Mode.FAIL_AT_2;
        runQuietly(sagas, ledger, mode, true);
        System.out.println("Crash point " + crashPoint + " was never reached");
        System.exit(3);
    }

    private static void runQuietly(SagaManager sagas, Ledger ledger, Mode mode) {
        runQuietly(sagas, ledger, mode, false);
    }

    private static void runQuietly(SagaManager sagas, Ledger ledger, Mode mode, boolean armed) {
        try {
            sagas.run("kill", saga -> {
                if (armed) {
                    armedSaga = saga.id();
                    System.out.println("ARMED " + saga.id());
                }
                crashAt(saga.id(), 1);
                for (int i = 0; i < STEPS.size(); i++) {
                    String step = STEPS.get(i);
                    int base = 2 + 3 * i;
                    saga.step(step, () -> {
                        crashAt(saga.id(), base);
                        if ((mode == Mode.FAIL_AT_2 && step.equals("s2"))) {
                            throw new IllegalStateException("declined before any effect");
                        }
                        String reservation = ledger.reserve(saga.id(), step);
                        crashAt(saga.id(), base + 1);
                        if (mode == Mode.FAIL_AT_3 && step.equals("s3")) {
                            throw new IllegalStateException("timed out after the effect");
                        }
                        return reservation;
                    }, DurableCompensation.of("release", step));
                    if (i < 2) {
                        crashAt(saga.id(), base + 2);
                    }
                }
                crashAt(saga.id(), 10);
            });
        }
        catch (RuntimeException expected) {
            // failing modes end in compensation
        }
    }

    static void crashAt(String sagaId, int point) {
        if (point == crashPoint && sagaId.equals(armedSaga)) {
            System.out.println("HALT at " + point);
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
    }

    /** The crash point of a release of {@code step} in {@code phase}, for a saga failing at step 3 or step 2. */
    static int compensationPoint(String step, Ledger.Phase phase) {
        if (crashPoint == 20) {
            return (step.equals("s1") && phase == Ledger.Phase.BEFORE_EFFECT) ? 20 : -1;
        }
        return 11 + 3 * (2 - STEPS.indexOf(step)) + phase.ordinal();
    }

    enum Mode {

        SUCCEED, FAIL_AT_3, FAIL_AT_2

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
            TransactionAutoConfiguration.class, JdbcTemplateAutoConfiguration.class, SagaAutoConfiguration.class })
    static class ChildConfiguration {

        @Bean
        Ledger ledger(JdbcTemplate jdbc) {
            return new Ledger(jdbc, (compensation, phase) -> crashAt(compensation.sagaId(),
                    compensationPoint(compensation.stepName(), phase)));
        }

    }

}
