package dev.reliant.idempotency.autoconfigure;

import java.time.Clock;

import dev.reliant.idempotency.Idempotent;
import dev.reliant.idempotency.IdempotencyScopeResolver;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.IdempotencyTenantResolver;
import dev.reliant.idempotency.jdbc.IdempotencySchemaMigrator;
import dev.reliant.idempotency.jdbc.JdbcIdempotencyStore;
import dev.reliant.idempotency.memory.InMemoryIdempotencyStore;
import dev.reliant.idempotency.outcome.OutcomeLog;
import dev.reliant.idempotency.outcome.RequestTransactions;
import dev.reliant.idempotency.redis.RedisIdempotencyStore;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.idempotency.web.AuthorityTenantResolver;
import dev.reliant.idempotency.web.IdempotencyFilter;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import static org.assertj.core.api.Assertions.assertThat;

class IdempotencyAutoConfigurationTests {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(IdempotencyAutoConfiguration.class, DataRedisAutoConfiguration.class,
                WebMvcAutoConfiguration.class, DispatcherServletAutoConfiguration.class))
        .withPropertyValues(TestRedis.server().springProperties());

    @Test
    void redisIsTheDefaultStoreAndTheFilterIsRegistered() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(RedisIdempotencyStore.class);
            assertThat(context).hasSingleBean(GuardedIdempotencyStore.class);
            assertThat(context).getBean("idempotencyFilter", FilterRegistrationBean.class)
                .satisfies(registration -> {
                    assertThat(registration.getFilter()).isInstanceOf(IdempotencyFilter.class);
                    assertThat(registration.getOrder()).isEqualTo(-90);
                });
        });
    }

    @Test
    void disabledMeansNothingIsInstalled() {
        runner.withPropertyValues("reliant.idempotency.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(IdempotencyStore.class);
            assertThat(context).doesNotHaveBean("idempotencyFilter");
        });
    }

    @Test
    void usersOwnStoreAndScopeResolverWin() {
        runner.withUserConfiguration(OwnBeans.class).run(context -> {
            assertThat(context).getBean(IdempotencyStore.class).isSameAs(context.getBean("ownStore"));
            assertThat(context).doesNotHaveBean(RedisIdempotencyStore.class);
            assertThat(context).getBean(IdempotencyScopeResolver.class).isSameAs(context.getBean("ownScope"));
        });
    }

    @Test
    void withoutRedisOnTheClassPathThereIsNoRedisStore() {
        runner.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class)).run(context -> {
            assertThat(context).doesNotHaveBean(RedisIdempotencyStore.class);
            assertThat(context).doesNotHaveBean("idempotencyFilter");
        });
    }

    @Test
    void withoutRedisButWithADataSourceTheJdbcStoreIsChosen() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class))
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
            .withPropertyValues(schema.springProperties())
            .run(context -> {
                assertThat(context).hasSingleBean(JdbcIdempotencyStore.class);
                assertThat(context).hasSingleBean(IdempotencySchemaMigrator.class);
                JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
                assertThat(jdbc.queryForObject("SELECT count(*) FROM reliant_idempotency_record", Integer.class))
                    .isZero();
            });
    }

    @Test
    void jdbcStoreCanLeaveTheSchemaToTheApplication() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
            .withPropertyValues(schema.springProperties())
            .withPropertyValues("reliant.idempotency.store=jdbc", "reliant.idempotency.jdbc.create-schema=false")
            .run(context -> {
                assertThat(context).hasSingleBean(JdbcIdempotencyStore.class);
                assertThat(context).doesNotHaveBean(IdempotencySchemaMigrator.class);
                JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
                assertThat(jdbc.queryForObject("SELECT count(*) FROM information_schema.tables "
                        + "WHERE table_name = 'reliant_idempotency_record' AND table_schema = ?", Integer.class,
                        schema.name())).isZero();
            });
    }

    @Test
    void applicationsOwnFlywayMigrationsKeepWorkingBesideOurs() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration.class))
            .withPropertyValues(schema.springProperties())
            .withPropertyValues("reliant.idempotency.store=jdbc", "spring.flyway.locations=classpath:db/app-test")
            .run(context -> {
                assertThat(context).hasNotFailed();
                JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
                assertThat(jdbc.queryForList("SELECT version FROM flyway_schema_history WHERE success",
                        String.class)).containsExactly("1");
                assertThat(jdbc.queryForList("SELECT version FROM reliant_idempotency_schema_history "
                        + "WHERE success AND version <> '0'", String.class)).containsExactly("1", "2");
                assertThat(jdbc.queryForObject("SELECT count(*) FROM app_customer", Integer.class)).isZero();
                assertThat(jdbc.queryForObject("SELECT count(*) FROM reliant_idempotency_record", Integer.class))
                    .isZero();
            });
    }

    @Test
    void withADataSourceHandlersRunInATransactionThatCommitsTheirOutcome() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
            .withPropertyValues(schema.springProperties())
            .run(context -> {
                assertThat(context).hasSingleBean(RequestTransactions.class);
                assertThat(context).hasSingleBean(OutcomeLog.class);
                assertThat(context).hasSingleBean(RedisIdempotencyStore.class);
                JdbcTemplate jdbc = new JdbcTemplate(context.getBean(javax.sql.DataSource.class));
                assertThat(jdbc.queryForObject("SELECT count(*) FROM reliant_idempotency_outcome", Integer.class))
                    .isZero();
            });
    }

    @Test
    void durableOutcomesCanBeTurnedOff() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
            .withPropertyValues(schema.springProperties())
            .withPropertyValues("reliant.idempotency.outcome.enabled=false")
            .run(context -> {
                assertThat(context).doesNotHaveBean(RequestTransactions.class);
                assertThat(context).doesNotHaveBean(OutcomeLog.class);
                assertThat(context).hasBean("idempotencyFilter");
            });
    }

    @Test
    void withoutADataSourceThereIsNoRequestTransaction() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(RequestTransactions.class);
            assertThat(context).doesNotHaveBean(OutcomeLog.class);
        });
    }

    @Test
    void memoryStoreIsOnlyUsedWhenAskedFor() {
        runner.withPropertyValues("reliant.idempotency.store=memory").run(context -> {
            assertThat(context).hasSingleBean(InMemoryIdempotencyStore.class);
            assertThat(context).doesNotHaveBean(RedisIdempotencyStore.class);
        });
    }

    @Test
    void streamingIdempotentEndpointsFailAtStartup() {
        runner.withUserConfiguration(StreamingController.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootMessage(context.getStartupFailure())).contains("Idempotency cannot protect")
                .contains("events")
                .contains("download");
        });
    }

    @Test
    void streamingEndpointsMatchedByAPathRuleFailAtStartup() {
        runner.withUserConfiguration(UnannotatedStreamingController.class)
            .withPropertyValues("reliant.idempotency.rules[0].method=POST",
                    "reliant.idempotency.rules[0].pattern=/feeds/**")
            .run(context -> {
                assertThat(context).hasFailed();
                assertThat(rootMessage(context.getStartupFailure())).contains("Idempotency cannot protect")
                    .contains("feed")
                    .doesNotContain("ticker");
            });
    }

    @Test
    void streamingEndpointsOutsideEveryRuleStart() {
        runner.withUserConfiguration(UnannotatedStreamingController.class)
            .withPropertyValues("reliant.idempotency.rules[0].method=POST",
                    "reliant.idempotency.rules[0].pattern=/orders/**")
            .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void idempotentOnAClassLeavesItsStreamingReadsAlone() {
        runner.withUserConfiguration(AnnotatedClassWithStreamingRead.class)
            .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void tenantComesFromSpringSecurityAuthoritiesByDefault() {
        runner.run(context -> assertThat(context).getBean(IdempotencyTenantResolver.class)
            .isInstanceOf(AuthorityTenantResolver.class));
    }

    @Test
    void aTenantHeaderIsOnlyReadWhenDeclaredTrusted() {
        runner.withPropertyValues("reliant.idempotency.scope.tenant.trusted-header=X-Gateway-Tenant")
            .run(context -> {
                IdempotencyTenantResolver tenants = context.getBean(IdempotencyTenantResolver.class);
                MockHttpServletRequest request = new MockHttpServletRequest();
                request.addHeader("X-Gateway-Tenant", "acme");
                request.setUserPrincipal(() -> "bob");
                assertThat(tenants.resolve(request)).isEqualTo("acme/user:bob");
            });
    }

    @Test
    void withoutSpringSecurityAndWithoutATrustedHeaderThereIsNoTenant() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.security")).run(context -> {
            MockHttpServletRequest request = new MockHttpServletRequest();
            request.addHeader("X-Tenant-Id", "acme");
            assertThat(context.getBean(IdempotencyTenantResolver.class).resolve(request)).isNull();
        });
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {

        @Bean
        IdempotencyStore ownStore() {
            return new InMemoryIdempotencyStore(Clock.systemUTC());
        }

        @Bean
        IdempotencyScopeResolver ownScope() {
            return request -> "account:" + request.getHeader("X-Account");
        }
    }

    @RestController
    static class UnannotatedStreamingController {

        @PostMapping("/feeds/{id}")
        SseEmitter feed() {
            return new SseEmitter();
        }

        @PostMapping("/ticker")
        SseEmitter ticker() {
            return new SseEmitter();
        }
    }

    @RestController
    @Idempotent
    static class AnnotatedClassWithStreamingRead {

        @GetMapping("/quotes")
        SseEmitter quotes() {
            return new SseEmitter();
        }

        @PostMapping("/quotes")
        String quote() {
            return "quoted";
        }
    }

    @RestController
    static class StreamingController {

        @Idempotent
        @PostMapping("/events")
        SseEmitter events() {
            return new SseEmitter();
        }

        @Idempotent
        @PostMapping("/download")
        org.springframework.http.ResponseEntity<StreamingResponseBody> download() {
            return org.springframework.http.ResponseEntity.ok(out -> out.write(1));
        }
    }
}
