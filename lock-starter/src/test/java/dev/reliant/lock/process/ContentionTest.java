package dev.reliant.lock.process;

import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

/**
 * Three processes loop on acquire, write, release for a while; every second lease also tries to write again once a
 * later holder has written. Afterwards: the fence's history rises strictly from holder to holder, leases never
 * overlap on the store's clock and their tokens rise in that order, every write that landed carries the token and
 * holder of a lease, and no write landed after a later holder's.
 */
class ContentionTest {

    private static final Pattern DONE = Pattern.compile("DONE leases=(\\d+) staleTries=(\\d+) staleLanded=(\\d+)");

    @ParameterizedTest
    @EnumSource(Kind.class)
    void contendingProcessesWriteOneHolderAtATimeInTokenOrder(Kind kind) throws Exception {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        String prefix = TestRedis.newKeyPrefix();
        String lock = "contended-" + UUID.randomUUID();
        try (HikariDataSource dataSource = schema.dataSource(2)) {
            LockTestServers.migrate(dataSource);
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            jdbc.execute("CREATE TABLE writes (id BIGSERIAL PRIMARY KEY, token BIGINT NOT NULL, holder TEXT NOT NULL,"
                    + " stale BOOLEAN NOT NULL, written_at TIMESTAMPTZ NOT NULL)");
            jdbc.execute("CREATE TABLE leases (token BIGINT PRIMARY KEY, holder TEXT NOT NULL, instance TEXT NOT NULL,"
                    + " acquired_at TIMESTAMPTZ NOT NULL, released_at TIMESTAMPTZ NOT NULL, released BOOLEAN NOT NULL)");
            // the fence's history, in the order the fence row changed (each change holds the row's lock)
            jdbc.execute("CREATE TABLE fence_history (id BIGSERIAL PRIMARY KEY, token BIGINT NOT NULL,"
                    + " holder TEXT NOT NULL)");
            jdbc.execute("CREATE FUNCTION record_fence() RETURNS trigger AS $$ BEGIN INSERT INTO fence_history"
                    + " (token, holder) VALUES (NEW.token, NEW.holder); RETURN NEW; END $$ LANGUAGE plpgsql");
            jdbc.execute("CREATE TRIGGER fence_history AFTER INSERT OR UPDATE ON " + LockTestServers.FENCE_TABLE
                    + " FOR EACH ROW EXECUTE FUNCTION record_fence()");

            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    children.add(ChildProcesses.start("contend", "p" + i, lock, "10", kind, schema, prefix));
                }
                int leases = 0;
                int staleTries = 0;
                for (ChildJvm child : children) {
                    assertThat(child.waitFor(300)).as("child output:%n%s", child.output()).isZero();
                    Matcher done = DONE.matcher(child.output());
                    assertThat(done.find()).as("child output:%n%s", child.output()).isTrue();
                    leases += Integer.parseInt(done.group(1));
                    staleTries += Integer.parseInt(done.group(2));
                    assertThat(Integer.parseInt(done.group(3))).as("stale writes that landed").isZero();
                }
                // a loaded machine slows the processes down, so the counts are kept low
                assertThat(leases).isGreaterThanOrEqualTo(6);
                assertThat(staleTries).as("stale writes tried").isPositive();
                System.out.printf("CONTENTION %s: %d leases, %d stale writes tried, none landed%n", kind, leases,
                        staleTries);
            }
            finally {
                children.forEach(ChildJvm::close);
            }

            assertFenceRoseFromHolderToHolder(jdbc);
            assertLeasesNeverOverlap(jdbc);
            assertEveryWriteWasItsHolders(jdbc);
            schema.drop(dataSource);
        }
    }

    private static void assertFenceRoseFromHolderToHolder(JdbcTemplate jdbc) {
        List<Map<String, Object>> history = jdbc.queryForList("SELECT token, holder FROM fence_history ORDER BY id");
        assertThat(history).hasSizeGreaterThan(30);
        for (int i = 1; i < history.size(); i++) {
            long previous = (Long) history.get(i - 1).get("token");
            long token = (Long) history.get(i).get("token");
            boolean sameHolder = history.get(i - 1).get("holder").equals(history.get(i).get("holder"));
            assertThat(token > previous || (token == previous && sameHolder))
                .as("fence step %d: %s after %s", i, history.get(i), history.get(i - 1))
                .isTrue();
        }
    }

    private static void assertLeasesNeverOverlap(JdbcTemplate jdbc) {
        List<Map<String, Object>> leases = jdbc.queryForList("SELECT token, instance, acquired_at, released_at"
                + " FROM leases ORDER BY acquired_at, token");
        for (int i = 1; i < leases.size(); i++) {
            Map<String, Object> previous = leases.get(i - 1);
            Map<String, Object> lease = leases.get(i);
            assertThat((Long) lease.get("token")).as("token order at %s", lease)
                .isGreaterThan((Long) previous.get("token"));
            assertThat(time(lease, "acquired_at")).as("%s overlaps %s", lease, previous)
                .isAfterOrEqualTo(time(previous, "released_at"));
        }
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT instance) FROM leases", Integer.class))
            .as("processes that held the lock")
            .isGreaterThanOrEqualTo(2);
    }

    private static void assertEveryWriteWasItsHolders(JdbcTemplate jdbc) {
        assertThat(jdbc.queryForObject("SELECT count(*) FROM writes WHERE stale", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM writes w WHERE NOT EXISTS (SELECT 1 FROM leases l"
                + " WHERE l.token = w.token AND l.holder = w.holder)", Integer.class))
            .as("writes without a matching lease")
            .isZero();
    }

    private static OffsetDateTime time(Map<String, Object> row, String column) {
        Object value = row.get(column);
        return (value instanceof Timestamp timestamp) ? timestamp.toInstant().atOffset(ZoneOffset.UTC)
                : (OffsetDateTime) value;
    }

}
