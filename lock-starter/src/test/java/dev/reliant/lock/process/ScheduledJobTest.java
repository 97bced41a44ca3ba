package dev.reliant.lock.process;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.lock.LockTestServers;
import dev.reliant.lock.LockTestServers.Kind;
import dev.reliant.testsupport.ChildJvm;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two applications run the same {@code @Scheduled @Locked} job (lease 1.5 s, a run takes 0.7 s): runs never
 * overlap on the database clock. The instance in the middle of a run is killed with {@code kill -9}; the other
 * takes the job over once the dead one's lease has run out, with a higher token.
 */
class ScheduledJobTest {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void oneInstanceAtATimeRunsTheJobAndTheOtherTakesOverAfterAKill(Kind kind) {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        String prefix = TestRedis.newKeyPrefix();
        String lock = "job-" + UUID.randomUUID();
        try (HikariDataSource dataSource = schema.dataSource(2)) {
            LockTestServers.migrate(dataSource);
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            jdbc.execute("CREATE TABLE runs (id BIGSERIAL PRIMARY KEY, instance TEXT NOT NULL, token BIGINT NOT NULL,"
                    + " started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ)");
            try (ChildJvm one = ChildProcesses.start("scheduled", "one", lock, "-", kind, schema, prefix);
                    ChildJvm two = ChildProcesses.start("scheduled", "two", lock, "-", kind, schema, prefix)) {
                await().atMost(240, TimeUnit.SECONDS)
                    .until(() -> jdbc.queryForObject("SELECT count(*) FROM runs WHERE finished_at IS NOT NULL",
                            Integer.class) >= 4);
                Map<String, Object> running = await().atMost(30, TimeUnit.SECONDS)
                    .pollInterval(20, TimeUnit.MILLISECONDS)
                    .until(() -> jdbc.queryForList("SELECT id, instance, token, started_at FROM runs"
                            + " WHERE finished_at IS NULL"), rows -> rows.size() == 1)
                    .get(0);
                ChildJvm victim = "one".equals(running.get("instance")) ? one : two;
                String survivor = "one".equals(running.get("instance")) ? "two" : "one";
                victim.kill();
                Instant killedAt = jdbc.queryForObject("SELECT clock_timestamp()", Timestamp.class).toInstant();
                long killedRun = (Long) running.get("id");

                Map<String, Object> takeover = await().atMost(30, TimeUnit.SECONDS)
                    .until(() -> jdbc.queryForList("SELECT instance, token, started_at FROM runs WHERE id > ?"
                            + " ORDER BY id LIMIT 1", killedRun), rows -> !rows.isEmpty())
                    .get(0);
                assertThat(takeover.get("instance")).isEqualTo(survivor);
                assertThat((Long) takeover.get("token")).isGreaterThan((Long) running.get("token"));
                // the dead holder's lease had at least 1.5 s less a renewal period (0.5 s) to run when it was killed;
                // the survivor tries every 100 ms, so without the lease it would have taken over at once
                Duration gap = Duration.between(killedAt, instant(takeover.get("started_at")));
                assertThat(gap).as("the takeover waits for the dead holder's lease")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(600));
                System.out.printf("SCHEDULED %s: killed %s mid-run; %s took over %d ms after the kill%n", kind,
                        running.get("instance"), survivor, gap.toMillis());
                await().atMost(30, TimeUnit.SECONDS)
                    .until(() -> jdbc.queryForObject("SELECT count(*) FROM runs WHERE id > ? AND finished_at IS NOT"
                            + " NULL", Integer.class, killedRun) >= 2);
            }
            assertRunsNeverOverlap(jdbc);
            schema.drop(dataSource);
        }
    }

    private static void assertRunsNeverOverlap(JdbcTemplate jdbc) {
        List<Map<String, Object>> runs = jdbc.queryForList("SELECT id, instance, started_at, finished_at FROM runs"
                + " ORDER BY started_at");
        assertThat(runs).hasSizeGreaterThan(5);
        for (int i = 1; i < runs.size(); i++) {
            Map<String, Object> previous = runs.get(i - 1);
            if (previous.get("finished_at") == null) {
                continue;
            }
            assertThat(instant(runs.get(i).get("started_at"))).as("%s overlaps %s", runs.get(i), previous)
                .isAfterOrEqualTo(instant(previous.get("finished_at")));
        }
    }

    private static Instant instant(Object value) {
        return ((Timestamp) value).toInstant();
    }

}
