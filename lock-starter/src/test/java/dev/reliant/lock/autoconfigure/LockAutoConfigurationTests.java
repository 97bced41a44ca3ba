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
import dev.reliant.testsupport.TestRedis;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

@ExtendWith(OutputCaptureExtension.class)
class LockAutoConfigurationTests {

    private static TestPostgres.Schema schema;

    @BeforeAll
    static void schema() {
        schema = TestPostgres.newSchema();
    }

    @Test
    void redisKeepsTheLocksWhenItsConnectionIsConfiguredAndTheDatabaseKeepsTheFence(CapturedOutput output) {
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
        assertThat(startupLines(output)).containsExactly("Reliant lock: Redis lock store (spring.data.redis.host is"
                + " set); fence in the application's DataSource (table reliant_lock_fence)");
    }

    @Test
    void theDatabaseKeepsTheLocksWhenAsked(CapturedOutput output) {
        LockTestContexts.runner(schema).withPropertyValues("reliant.lock.store=jdbc").run(context -> {
            assertThat(context).hasSingleBean(JdbcLockStore.class).doesNotHaveBean(RedisLockStore.class);
            LockLease lease = context.getBean(LockRegistry.class).tryAcquire("jdbc-config").orElseThrow();
            assertThat(lease.token()).isPositive();
            lease.release();
        });
        assertThat(startupLines(output)).containsExactly("Reliant lock: JDBC lock store on the application's"
                + " DataSource (reliant.lock.store=jdbc); fence in the application's DataSource (table"
                + " reliant_lock_fence)");
    }

    @Test
    void theDatabaseKeepsTheLocksWhenNoRedisConnectionIsConfigured(CapturedOutput output) {
        LockTestContexts.withoutRedisConnection(schema).run(context -> {
            assertThat(context).as("Spring Boot's default connection to localhost").hasBean("redisConnectionFactory");
            assertThat(context).hasSingleBean(JdbcLockStore.class).doesNotHaveBean(RedisLockStore.class);
            LockLease lease = context.getBean(LockRegistry.class).tryAcquire("auto-jdbc").orElseThrow();
            assertThat(lease.token()).isPositive();
            lease.release();
        });
        assertThat(startupLines(output)).containsExactly("Reliant lock: JDBC lock store on the application's"
                + " DataSource (no Redis connection configured; set spring.data.redis.host or reliant.lock.store=redis"
                + " to use Redis); fence in the application's DataSource (table reliant_lock_fence)");
    }

    @Test
    void redisWithoutADataSourceKeepsTheLocksWithoutAFence(CapturedOutput output) {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, LockAutoConfiguration.class))
            .withPropertyValues(TestRedis.server().springProperties())
            .withPropertyValues("reliant.lock.redis.key-prefix=" + TestRedis.newKeyPrefix())
            .run(context -> assertThat(context).hasSingleBean(RedisLockStore.class).doesNotHaveBean(Fence.class));
        assertThat(startupLines(output))
            .containsExactly("Reliant lock: Redis lock store (spring.data.redis.host is set); no fence (no DataSource)");
    }

    @Test
    void withoutARedisConnectionOrADataSourceTheStartFailsAndSaysWhatToConfigure(CapturedOutput output) {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, LockAutoConfiguration.class))
            .run(context -> {
                assertThat(context).hasFailed();
                FailureAnalysis analysis = new NoLockStoreFailureAnalyzer().analyze(context.getStartupFailure());
                assertThat(analysis.getDescription())
                    .startsWith("No store for locks: reliant.lock.store is auto")
                    .contains("Redis: no Redis connection is configured")
                    .contains("JDBC: there is no DataSource bean");
                assertThat(analysis.getAction()).contains("set spring.data.redis.host")
                    .contains("configure a DataSource (spring.datasource.url)")
                    .contains("reliant.lock.enabled=false");
            });
        assertThat(startupLines(output)).isEmpty();
    }

    @Test
    void aStartWithoutAStoreIsReportedAsAFailureAnalysis(CapturedOutput output) {
        SpringApplication application = new SpringApplication(NoStoreApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setRegisterShutdownHook(false);
        assertThatException().isThrownBy(() -> application.run("--spring.main.banner-mode=off"))
            .isInstanceOf(NoLockStoreException.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("No store for locks: reliant.lock.store is auto")
            .contains("Configure where the locks are kept: set spring.data.redis.host");
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

    /** The starter's startup lines in the output, without the log's prefix. */
    private static List<String> startupLines(CapturedOutput output) {
        return output.getOut()
            .lines()
            .filter(line -> line.contains("Reliant lock: "))
            .map(line -> line.substring(line.indexOf("Reliant lock: ")))
            .toList();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ DataRedisAutoConfiguration.class, LockAutoConfiguration.class })
    static class NoStoreApplication {

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
