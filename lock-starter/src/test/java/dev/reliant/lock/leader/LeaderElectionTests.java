package dev.reliant.lock.leader;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.reliant.lock.LeaderCandidate;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockTestContexts;
import dev.reliant.lock.LockTestServers;
import dev.reliant.lock.LockTestServers.Kind;
import dev.reliant.lock.redis.RedisLockStore;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two instances campaign for one role: one leads at a time, and the role moves on with a higher token. */
class LeaderElectionTests {

    @Test
    void oneInstanceLeadsAndTheRoleMovesOnWhenItLosesItsLeaseOrStops() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        String prefix = TestRedis.newKeyPrefix();
        Candidate first = new Candidate();
        Candidate second = new Candidate();
        String[] properties = properties(schema, prefix);
        try (ConfigurableApplicationContext a = LockTestContexts.start(List.of(), List.of(first), properties);
                ConfigurableApplicationContext b = LockTestContexts.start(List.of(), List.of(second), properties)) {
            await().until(() -> first.granted.size() + second.granted.size() == 1);
            Candidate leader = first.granted.isEmpty() ? second : first;
            LockLease leading = leader.granted.get(0);
            // past several leases: the watchdog keeps the role with the first leader
            await().pollDelay(Duration.ofMillis(6000)).atMost(Duration.ofSeconds(10)).until(() -> true);
            assertThat(first.granted.size() + second.granted.size()).as("still one grant").isEqualTo(1);
            assertThat(leading.isValid()).isTrue();

            LettuceConnectionFactory redis = LockTestServers.redisConnection();
            try {
                RedisLockStore store = LockTestServers.redisStore(redis, prefix);
                store.release("scheduler", leading.holder(), leading.token());
            }
            finally {
                redis.destroy();
            }
            await().until(() -> leader.revoked.contains(leading));
            await().until(() -> first.granted.size() + second.granted.size() == 2);
            Candidate current = (first.granted.size() > first.revoked.size()) ? first : second;
            LockLease currentLease = current.granted.get(current.granted.size() - 1);
            assertThat(currentLease.token()).isGreaterThan(leading.token());
            assertThat(currentLease.isValid()).isTrue();

            Candidate other = (current == first) ? second : first;
            (current == first ? a : b).close();
            assertThat(current.revoked).as("revoked on stop").contains(currentLease);
            await().until(() -> other.granted.stream().anyMatch(lease -> lease.token() > currentLease.token()));
        }
    }

    private static String[] properties(TestPostgres.Schema schema, String prefix) {
        String[] servers = LockTestServers.springProperties(Kind.REDIS, schema, prefix);
        String[] all = Arrays.copyOf(servers, servers.length + 2);
        all[servers.length] = "reliant.lock.lease=4s";
        all[servers.length + 1] = "reliant.lock.leader.retry-interval=100ms";
        return all;
    }

    static final class Candidate implements LeaderCandidate {

        final List<LockLease> granted = new CopyOnWriteArrayList<>();

        final List<LockLease> revoked = new CopyOnWriteArrayList<>();

        @Override
        public String role() {
            return "scheduler";
        }

        @Override
        public void onGranted(LockLease lease) {
            granted.add(lease);
        }

        @Override
        public void onRevoked(LockLease lease) {
            revoked.add(lease);
        }

    }

}
