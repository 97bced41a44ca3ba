package dev.reliant.lock.aop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reliant.lock.CurrentLock;
import dev.reliant.lock.Fence;
import dev.reliant.lock.FencedWriteRefusedException;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockNotAcquiredException;
import dev.reliant.lock.LockTestContexts;
import dev.reliant.lock.Locked;
import dev.reliant.lock.WhenLocked;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code @Locked} methods: one at a time, the token at hand, and the fence checked by every transaction they
 * begin. A stale holder is made here by another holder that advances the fence while the method runs.
 */
class LockedMethodTests {

    private static TestPostgres.Schema schema;

    @BeforeAll
    static void schema() {
        schema = TestPostgres.newSchema();
    }

    private static ApplicationContextRunner runner() {
        return LockTestContexts.runner(schema)
            .withPropertyValues("reliant.lock.store=jdbc", "job.lock=placeholder-job")
            .withUserConfiguration(JobConfiguration.class);
    }

    @Test
    void aSecondCallIsSkippedWhileTheFirstHoldsTheLockAndTheTokenIsAtHand() {
        runner().run(context -> {
            Job job = context.getBean(Job.class);
            JobState state = context.getBean(JobState.class);
            CompletableFuture<Long> first = CompletableFuture.supplyAsync(job::holdUntilReleased);
            assertThat(state.entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(job.holdUntilReleased()).as("skipped call").isNull();
            state.release.countDown();
            long token = first.get(10, TimeUnit.SECONDS);
            assertThat(token).isPositive();
            assertThat(state.runs.get()).isEqualTo(1);
            assertThat(CurrentLock.lease()).as("nothing stays bound to the caller").isEmpty();
            assertThat(job.holdUntilReleasedAgain()).as("the lock was released").isGreaterThan(token);
        });
    }

    @Test
    void aWaitingCallGivesUpWithAnException() {
        runner().run(context -> {
            Job job = context.getBean(Job.class);
            JobState state = context.getBean(JobState.class);
            CompletableFuture<Long> first = CompletableFuture.supplyAsync(job::holdUntilReleased);
            assertThat(state.entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(job::waitBriefly).isInstanceOf(LockNotAcquiredException.class);
            state.release.countDown();
            first.get(10, TimeUnit.SECONDS);
            assertThat(job.waitBriefly()).isEqualTo("ran");
        });
    }

    @Test
    void aTransactionBegunUnderALockRollsBackWhenALaterHolderHasWritten() {
        runner().run(context -> {
            Job job = context.getBean(Job.class);
            JobState state = context.getBean(JobState.class);
            assertThatThrownBy(job::writeAfterBeingOvertaken).isInstanceOf(FencedWriteRefusedException.class);
            assertThat(state.rows("overtaken")).isZero();
            assertThat(job.writeInTime()).isPositive();
            assertThat(state.rows("in time")).isEqualTo(1);
        });
    }

    @Test
    void aTransactionThatWasOpenWhenTheLockWasTakenIsCheckedToo() {
        runner().run(context -> {
            Job job = context.getBean(Job.class);
            JobState state = context.getBean(JobState.class);
            TransactionTemplate transactions = new TransactionTemplate(
                    context.getBean(PlatformTransactionManager.class));
            assertThatThrownBy(() -> transactions.executeWithoutResult(status -> job.writeAfterBeingOvertaken()))
                .isInstanceOf(FencedWriteRefusedException.class);
            assertThat(state.rows("overtaken")).isZero();
        });
    }

    @Test
    void withoutTheTransactionCheckTheStaleWriteLands() {
        runner().withPropertyValues("reliant.lock.fence.check-transactions=false").run(context -> {
            Job job = context.getBean(Job.class);
            JobState state = context.getBean(JobState.class);
            job.writeAfterBeingOvertaken();
            assertThat(state.rows("overtaken")).isEqualTo(1);
        });
    }

    @Test
    void transactionsOutsideALockAreNotFenced() {
        runner().run(context -> {
            JobState state = context.getBean(JobState.class);
            state.transactions.executeWithoutResult(status -> state.jdbc.update("INSERT INTO job_rows (what, token)"
                    + " VALUES ('unlocked', 0)"));
            assertThat(state.rows("unlocked")).isEqualTo(1);
            assertThat(context.getBean(Fence.class).token("placeholder-job")).isEmpty();
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class JobConfiguration {

        @Bean
        JobState jobState(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, Fence fence) {
            jdbc.execute("CREATE TABLE IF NOT EXISTS job_rows (what TEXT NOT NULL, token BIGINT NOT NULL)");
            jdbc.update("DELETE FROM job_rows");
            jdbc.update("DELETE FROM reliant_lock_fence");
            return new JobState(jdbc, new TransactionTemplate(transactionManager), fence);
        }

        @Bean
        Job job(JobState state) {
            return new Job(state);
        }

    }

    /** What the job and the test share; apart from the job, whose proxy has no state. */
    static final class JobState {

        final CountDownLatch entered = new CountDownLatch(1);

        final CountDownLatch release = new CountDownLatch(1);

        final AtomicInteger runs = new AtomicInteger();

        final JdbcTemplate jdbc;

        final TransactionTemplate transactions;

        final Fence fence;

        JobState(JdbcTemplate jdbc, TransactionTemplate transactions, Fence fence) {
            this.jdbc = jdbc;
            this.transactions = transactions;
            this.fence = fence;
        }

        int rows(String what) {
            return jdbc.queryForObject("SELECT count(*) FROM job_rows WHERE what = ?", Integer.class, what);
        }

    }

    static class Job {

        private final JobState state;

        Job(JobState state) {
            this.state = state;
        }

        @Locked(name = "${job.lock}", lease = "5s")
        public Long holdUntilReleased() {
            state.runs.incrementAndGet();
            state.entered.countDown();
            try {
                state.release.await(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return CurrentLock.token();
        }

        @Locked(name = "${job.lock}", lease = "5s")
        public Long holdUntilReleasedAgain() {
            return CurrentLock.token();
        }

        @Locked(name = "${job.lock}", lease = "5s", whenLocked = WhenLocked.WAIT, waitFor = "300ms")
        public String waitBriefly() {
            return "ran";
        }

        @Locked(name = "${job.lock}", lease = "5s")
        public void writeAfterBeingOvertaken() {
            LockLease mine = CurrentLock.lease().orElseThrow();
            // A later holder writes from elsewhere (a thread with no lease bound) while this holder still runs.
            CompletableFuture.runAsync(() -> state.transactions.executeWithoutResult(
                    status -> state.fence.check(mine.name(), mine.token() + 1, "later-holder")))
                .join();
            state.transactions.executeWithoutResult(status -> state.jdbc
                .update("INSERT INTO job_rows (what, token) VALUES ('overtaken', ?)", CurrentLock.token()));
        }

        @Locked(name = "${job.lock}", lease = "5s")
        public long writeInTime() {
            state.transactions.executeWithoutResult(status -> state.jdbc
                .update("INSERT INTO job_rows (what, token) VALUES ('in time', ?)", CurrentLock.token()));
            return state.fence.token("placeholder-job").orElseThrow();
        }

    }

}
