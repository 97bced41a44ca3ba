package dev.reliant.lock.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.reliant.lock.Fence;
import dev.reliant.lock.LockGrant;
import dev.reliant.lock.LockLease;
import dev.reliant.lock.LockRegistry;
import dev.reliant.lock.LockStore;
import dev.reliant.lock.LockTestContexts;
import dev.reliant.lock.actuate.LockStoreHealthIndicator;
import dev.reliant.lock.actuate.LocksEndpoint;
import dev.reliant.lock.aop.LockedAnnotationPostProcessor;
import dev.reliant.lock.jdbc.JdbcFence;
import dev.reliant.lock.jdbc.JdbcLockStore;
import dev.reliant.lock.redis.RedisLockStore;
import dev.reliant.lock.tx.FenceCheckingTransactionListener;
import dev.reliant.testsupport.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

class LockAutoConfigurationTests {

    private static TestPostgres.Schema schema;

    @BeforeAll
    static void schema() {
        schema = TestPostgres.newSchema();
    }

    @Test
    void redisKeepsTheLocksWhenItIsThereAndTheDatabaseKeepsTheFence() {
        LockTestContexts.runner(schema)
            .withPropertyValues("management.endpoints.web.exposure.include=locks",
                    "management.endpoints.jmx.exposure.include=locks")
            .run(context -> {
                assertThat(context).hasSingleBean(RedisLockStore.class)
                    .doesNotHaveBean(JdbcLockStore.class)
                    .hasSingleBean(LockRegistry.class)
                    .hasSingleBean(JdbcFence.class)
                    .hasSingleBean(FenceCheckingTransactionListener.class)
                    .hasSingleBean(LockedAnnotationPostProcessor.class)
                    .hasSingleBean(LockStoreHealthIndicator.class)
                    .hasSingleBean(LocksEndpoint.class);
                LockLease lease = context.getBean(LockRegistry.class).tryAcquire("auto-config").orElseThrow();
                assertThat(context.getBean(LocksEndpoint.class).held()).singleElement()
                    .satisfies(held -> assertThat(held.token()).isEqualTo(lease.token()));
                assertThat(context.getBean(LockStoreHealthIndicator.class).health(true).getStatus())
                    .isEqualTo(Status.UP);
                assertThat(((JdbcTransactionManager) context.getBean(PlatformTransactionManager.class))
                    .getTransactionExecutionListeners())
                    .as("Boot applies the fence check to its transaction manager")
                    .contains(context.getBean(FenceCheckingTransactionListener.class));
                lease.release();
            });
    }

    @Test
    void theDatabaseKeepsTheLocksWhenAsked() {
        LockTestContexts.runner(schema).withPropertyValues("reliant.lock.store=jdbc").run(context -> {
            assertThat(context).hasSingleBean(JdbcLockStore.class).doesNotHaveBean(RedisLockStore.class);
            LockLease lease = context.getBean(LockRegistry.class).tryAcquire("jdbc-config").orElseThrow();
            assertThat(lease.token()).isPositive();
            lease.release();
        });
    }

    @Test
    void nothingIsConfiguredWhenDisabled() {
        LockTestContexts.runner(schema).withPropertyValues("reliant.lock.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(LockRegistry.class)
                .doesNotHaveBean(LockStore.class)
                .doesNotHaveBean(Fence.class)
                .doesNotHaveBean(LockedAnnotationPostProcessor.class);
        });
    }

    @Test
    void theFenceCanBeTurnedOffAsAWholeOrForTransactions() {
        LockTestContexts.runner(schema).withPropertyValues("reliant.lock.fence.enabled=false").run(context -> {
            assertThat(context).hasSingleBean(LockRegistry.class)
                .doesNotHaveBean(Fence.class)
                .doesNotHaveBean(FenceCheckingTransactionListener.class);
        });
        LockTestContexts.runner(schema)
            .withPropertyValues("reliant.lock.fence.check-transactions=false")
            .run(context -> assertThat(context).hasSingleBean(Fence.class)
                .doesNotHaveBean(FenceCheckingTransactionListener.class));
    }

    @Test
    void aStoreOfTheApplicationWins() {
        LockTestContexts.runner(schema).withUserConfiguration(OwnStore.class).run(context -> {
            assertThat(context).doesNotHaveBean(RedisLockStore.class).doesNotHaveBean(JdbcLockStore.class);
            assertThat(context.getBean(LockStore.class)).isInstanceOf(FixedStore.class);
            assertThat(context.getBean(LockRegistry.class).tryAcquire("own").orElseThrow().token()).isEqualTo(42);
        });
    }

    @Test
    void acquisitionsAndLossesAreCounted() {
        LockTestContexts.runner(schema).withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            LockRegistry registry = context.getBean(LockRegistry.class);
            registry.tryAcquire("counted", Duration.ofSeconds(5)).orElseThrow().release();
            registry.tryAcquire("counted", Duration.ofSeconds(5)).orElseThrow().release();
            assertThat(context.getBean(MeterRegistry.class).get("reliant.lock.acquired").tag("lock", "counted")
                .counter().count()).isEqualTo(2);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnStore {

        @Bean
        LockStore fixedStore() {
            return new FixedStore();
        }

    }

    static final class FixedStore implements LockStore {

        @Override
        public Optional<LockGrant> tryAcquire(String name, String holder, Duration lease, long tokenFloor) {
            Instant now = Instant.now();
            return Optional.of(new LockGrant(name, holder, 42, now, now.plus(lease)));
        }

        @Override
        public Optional<Instant> renew(String name, String holder, long token, Duration lease) {
            return Optional.of(Instant.now().plus(lease));
        }

        @Override
        public Optional<Instant> release(String name, String holder, long token) {
            return Optional.of(Instant.now());
        }

        @Override
        public void raiseTokenFloor(String name, long floor) {
        }

        @Override
        public void ping() {
        }

    }

}
