package dev.reliant.lock.leader;

import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.lock.GatedLockStore;
import dev.reliant.lock.LeaderCandidate;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockTestServers;
import dev.reliant.lock.core.DefaultLockRegistry;
import dev.reliant.lock.metrics.LockMetrics;
import dev.reliant.testsupport.LogCapture;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** An election round that the stop interrupts is the shutdown's doing: logged at debug, not as a warning. */
class LeaderElectionShutdownTests {

    @Test
    void aRoundBrokenByTheStopIsReportedAtDebug() throws Exception {
        try (HikariDataSource dataSource = TestPostgres.newSchema().dataSource(2)) {
            LockTestServers.migrate(dataSource);
            GatedLockStore store = new GatedLockStore(LockTestServers.jdbcStore(dataSource));
            DefaultLockRegistry registry = new DefaultLockRegistry(store, Duration.ofSeconds(3), "electing",
                    LockMetrics.NONE);
            LeaderElection election = new LeaderElection(registry, List.of(new Candidate()), Duration.ofSeconds(3),
                    Duration.ofMillis(100));
            GatedLockStore.Gate acquisition = store.holdAcquisitions();
            election.start();
            acquisition.awaitReached();
            try (LogCapture log = LogCapture.of(LeaderElection.class)) {
                election.stop();

                assertThat(log.at(Level.WARN)).isEmpty();
                assertThat(log.at(Level.DEBUG)).anyMatch((line) -> line.contains("ended by the shutdown"));
            }
            finally {
                registry.close();
            }
        }
    }

    private static final class Candidate implements LeaderCandidate {

        @Override
        public String role() {
            return "reports";
        }

        @Override
        public void onGranted(LockLease lease) {
        }

        @Override
        public void onRevoked(LockLease lease) {
        }
    }
}
