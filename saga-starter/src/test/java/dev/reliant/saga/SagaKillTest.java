package dev.reliant.saga;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.saga.recovery.SagaRecoveryWorker;
import dev.reliant.testsupport.ChildJvm;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Processes halted at 20 points across the steps and compensations of their sagas; after each, a recovery worker
 * must leave every saga completed or fully compensated, compensate only steps whose intent was recorded, and apply
 * each compensation's effect exactly once. A step's result reaches the log with the saga's next write, so a halt
 * after a step returned loses the result: that step is compensated as one whose outcome is unknown, without it.
 */
class SagaKillTest {

    private static final Pattern ARMED = Pattern.compile("ARMED ([0-9a-f-]{36})");

    @Test
    void everySagaEndsCompletedOrFullyCompensatedWhereverItsProcessDied() throws Exception {
        ExecutorService children = Executors.newFixedThreadPool(4);
        try {
            List<Future<Void>> runs = IntStream.rangeClosed(1, 20)
                .mapToObj(point -> children.submit(() -> {
                    crashAndRecover(point);
                    return (Void) null;
                }))
                .toList();
            for (Future<Void> run : runs) {
                run.get(240, TimeUnit.SECONDS);
            }
        }
        finally {
            children.shutdownNow();
        }
    }

    private void crashAndRecover(int point) {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        try (HikariDataSource dataSource = schema.dataSource(2)) {
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            Ledger.createTables(jdbc);
            String armed;
            try (ChildJvm child = ChildJvm.start(SagaKillChild.class,
                    List.of(schema.jdbcUrl(), schema.username(), schema.password(), String.valueOf(point)),
                    Map.of())) {
                int exit = child.waitFor(120);
                String output = child.output();
                assertThat(output).as("point %d, child output", point).contains("HALT at " + point);
                assertThat(exit).as("point %d, child exit code", point).isEqualTo(1);
                Matcher matcher = ARMED.matcher(output);
                assertThat(matcher.find()).isTrue();
                armed = matcher.group(1);
            }
            SagaTestContexts.runner(schema).run(context -> {
                SagaRecoveryWorker worker = context.getBean(SagaRecoveryWorker.class);
                await().atMost(60, TimeUnit.SECONDS).pollInterval(200, TimeUnit.MILLISECONDS).until(() -> {
                    worker.recoverOrphans();
                    return jdbc.queryForObject("SELECT count(*) FROM reliant_saga WHERE state NOT IN"
                            + " ('COMPLETED', 'COMPENSATED')", Long.class) == 0;
                });
            });
            checkOutcome(jdbc, point);
            checkArmedSaga(jdbc, point, armed);
            schema.drop(dataSource);
        }
    }

    private static void checkOutcome(JdbcTemplate jdbc, int point) {
        List<Map<String, Object>> sagas = jdbc.queryForList("SELECT id::text AS id, state FROM reliant_saga");
        assertThat(sagas).as("point %d: sagas run", point).hasSizeGreaterThan(3);
        for (Map<String, Object> saga : sagas) {
            String id = (String) saga.get("id");
            Set<String> intents = new HashSet<>(jdbc.queryForList(
                    "SELECT name FROM reliant_saga_step WHERE saga_id = ?::uuid", String.class, id));
            Set<String> reserved = new HashSet<>(
                    jdbc.queryForList("SELECT step FROM reservations WHERE saga_id = ?", String.class, id));
            List<Map<String, Object>> releases = jdbc.queryForList(
                    "SELECT step, deliveries FROM releases WHERE saga_id = ?", id);
            if ("COMPLETED".equals(saga.get("state"))) {
                assertThat(intents).as("point %d, completed saga %s", point, id).containsExactlyInAnyOrder("s1", "s2",
                        "s3");
                assertThat(reserved).as("point %d, completed saga %s", point, id).isEqualTo(intents);
                assertThat(releases).as("point %d, completed saga %s", point, id).isEmpty();
            }
            else {
                assertThat(reserved).as("point %d, compensated saga %s keeps effects", point, id).isEmpty();
                Set<String> released = new HashSet<>();
                for (Map<String, Object> release : releases) {
                    released.add((String) release.get("step"));
                    assertThat(release.get("deliveries")).as("point %d, saga %s, %s", point, id, release)
                        .isEqualTo(1);
                }
                assertThat(released).as("point %d, compensated saga %s: released steps are the recorded intents",
                        point, id).isEqualTo(intents);
            }
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM releases r WHERE NOT EXISTS (SELECT 1 FROM"
                + " reliant_saga_step s WHERE s.saga_id::text = r.saga_id AND s.name = r.step)", Long.class))
            .as("point %d: releases of steps without intent", point)
            .isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM releases WHERE result <> step", Long.class))
            .as("point %d: compensations given another step's result", point)
            .isZero();
    }

    private static void checkArmedSaga(JdbcTemplate jdbc, int point, String armed) {
        List<String> state = jdbc.queryForList("SELECT state FROM reliant_saga WHERE id = ?::uuid", String.class,
                armed);
        if (point == 1) {
            assertThat(state).as("a saga that took no step is not in the log").isEmpty();
            return;
        }
        assertThat(state).as("point %d: the halted saga", point).containsExactly("COMPENSATED");
        List<String> released = jdbc.queryForList("SELECT step FROM releases WHERE saga_id = ? ORDER BY step",
                String.class, armed);
        assertThat(released).as("point %d: steps released for the halted saga", point)
            .containsExactlyElementsOf(expectedReleases(point));
        Map<String, String> given = new Ledger(jdbc).resultsGiven(armed);
        assertThat(given).as("point %d: results given to the halted saga's compensations", point)
            .isEqualTo(expectedResults(point));
    }

    /** The steps of the halted saga whose result was in the log: those followed by another write before the halt. */
    private static Map<String, String> expectedResults(int point) {
        if (point <= 4) {
            return Map.of();
        }
        if (point <= 7 || point == 20) {
            return Map.of("s1", "s1");
        }
        return Map.of("s1", "s1", "s2", "s2");
    }

    private static List<String> expectedReleases(int point) {
        if (point <= 4) {
            return List.of("s1");
        }
        if (point <= 7 || point == 20) {
            return List.of("s1", "s2");
        }
        return new ArrayList<>(SagaKillChild.STEPS);
    }

}
