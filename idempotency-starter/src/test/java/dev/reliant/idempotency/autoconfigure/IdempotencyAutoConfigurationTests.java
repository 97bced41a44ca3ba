package dev.reliant.idempotency.autoconfigure;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import dev.reliant.idempotency.Idempotent;
import dev.reliant.idempotency.IdempotencyScopeResolver;
import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.IdempotencyTenantResolver;
import dev.reliant.idempotency.jdbc.IdempotencySchemaMigrator;
import dev.reliant.idempotency.jdbc.JdbcIdempotencyStore;
import dev.reliant.idempotency.memory.InMemoryIdempotencyStore;
import dev.reliant.idempotency.outcome.OutcomeLog;
import dev.reliant.idempotency.outcome.RequestTransactions;
import dev.reliant.idempotency.redis.JedisStoreClient;
import dev.reliant.idempotency.redis.RedisIdempotencyStore;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.idempotency.web.AuthorityTenantResolver;
import dev.reliant.idempotency.web.IdempotencyFilter;
import dev.reliant.idempotency.web.IdempotentStreamingHandlerException;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

@ExtendWith(OutputCaptureExtension.class)
class IdempotencyAutoConfigurationTests {

    /** Redis on the class path, as the starter brings it, but no connection configured. */
    private final WebApplicationContextRunner unconfigured = new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(IdempotencyAutoConfiguration.class, DataRedisAutoConfiguration.class,
                WebMvcAutoConfiguration.class, DispatcherServletAutoConfiguration.class));

    private final WebApplicationContextRunner runner = unconfigured
        .withPropertyValues(TestRedis.server().springProperties());

    @Test
    void redisIsChosenWhenItsConnectionIsConfiguredAndTheFilterIsRegistered(CapturedOutput output) {
        runner.run(context -> {
            assertThat(context).hasSingleBean(RedisIdempotencyStore.class);
            assertThat(context).hasSingleBean(GuardedIdempotencyStore.class);
            assertThat(context).getBean("idempotencyFilter", FilterRegistrationBean.class)
                .satisfies(registration -> {
                    assertThat(registration.getFilter()).isInstanceOf(IdempotencyFilter.class);
                    assertThat(registration.getOrder()).isEqualTo(-90);
                });
        });
        assertThat(startupLines(output))
            .containsExactly("Reliant idempotency: Redis store through Lettuce (spring.data.redis.host is set)");
    }

    /**
     * With Jedis as the application's client (Spring Boot's {@code client-type}), the store sends its commands
     * through Jedis, on the request thread, and with the store's time limit as its read timeout.
     */
    @Test
    void withJedisAsTheApplicationsClientTheStoreUsesJedis(CapturedOutput output) {
        runner.withPropertyValues("spring.data.redis.client-type=jedis").run(context -> {
            assertThat(context).hasSingleBean(JedisConnectionFactory.class)
                .doesNotHaveBean(LettuceConnectionFactory.class);
            assertThat(context.getBean(RedisIdempotencyStore.class).client()).isInstanceOf(JedisStoreClient.class);
            IdempotencyStore store = context.getBean(IdempotencyStore.class);
            String key = "jedis:" + java.util.UUID.randomUUID();
            assertThat(store.claim(key, "0".repeat(32), "f".repeat(64), java.time.Duration.ofSeconds(5),
                    java.time.Duration.ofMinutes(1)).join()).isEqualTo(ClaimResult.claimed());
            assertThat(store.find(key).join()).hasValueSatisfying(
                    record -> assertThat(record.state()).isEqualTo(RecordState.IN_PROGRESS));
        });
        assertThat(startupLines(output)).containsExactly(
                "Reliant idempotency: Redis store through Jedis, on the request thread"
                        + " (spring.data.redis.host is set)");
        assertThat(output.getOut()).as("Jedis's default read timeout, 2 s, against the default time limit, 1 s")
            .contains("Jedis waits up to 2000 ms for a reply");
    }

    @Test
    void jedisWithinTheStoresTimeLimitStartsWithoutAWarning(CapturedOutput output) {
        runner.withPropertyValues("spring.data.redis.client-type=jedis", "spring.data.redis.timeout=1s")
            .run(context -> assertThat(context).hasSingleBean(RedisIdempotencyStore.class));
        assertThat(output.getOut()).doesNotContain("Jedis waits up to");
    }

    @Test
    void withADataSourceAndNoRedisConnectionConfiguredTheJdbcStoreIsChosen(CapturedOutput output) {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        unconfigured.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
            .withPropertyValues(schema.springProperties())
            .run(context -> {
                assertThat(context).as("Spring Boot's default connection to localhost")
                    .hasBean("redisConnectionFactory");
                assertThat(context).hasSingleBean(JdbcIdempotencyStore.class)
                    .doesNotHaveBean(RedisIdempotencyStore.class)
                    .hasBean("idempotencyFilter");
            });
        assertThat(startupLines(output)).containsExactly("Reliant idempotency: JDBC store on the application's"
                + " DataSource (no Redis connection configured; set spring.data.redis.host or"
                + " reliant.idempotency.store=redis to use Redis)");
    }

    @Test
    void redisConfiguredThroughEnvironmentVariablesIsChosen(CapturedOutput output) {
        TestRedis.Server redis = TestRedis.server();
        Map<String, Object> variables = Map.of("SPRING_DATA_REDIS_HOST", redis.host(), "SPRING_DATA_REDIS_PORT",
                String.valueOf(redis.port()));
        unconfigured
            .withInitializer(context -> context.getEnvironment()
                .getPropertySources()
                .addLast(new SystemEnvironmentPropertySource("testEnvironment", variables)))
            .run(context -> {
                assertThat(context).hasSingleBean(RedisIdempotencyStore.class);
                assertReachesTheTestRedis(context);
            });
        assertThat(startupLines(output))
            .containsExactly("Reliant idempotency: Redis store through Lettuce (spring.data.redis.host is set)");
    }

    @Test
    void aServiceConnectionToRedisIsChosen(CapturedOutput output) {
        TestRedis.Server redis = TestRedis.server();
        unconfigured.withBean("redisServiceConnection", DataRedisConnectionDetails.class,
                () -> new DataRedisConnectionDetails() {

                    @Override
                    public Standalone getStandalone() {
                        return Standalone.of(redis.host(), redis.port());
                    }
                })
            .run(context -> {
                assertThat(context).hasSingleBean(RedisIdempotencyStore.class);
                assertReachesTheTestRedis(context);
            });
        assertThat(startupLines(output)).containsExactly("Reliant idempotency: Redis store through Lettuce (bean"
                + " 'redisServiceConnection' (DataRedisConnectionDetails) is defined)");
    }

    @Test
    void theApplicationsOwnRedisConnectionFactoryIsChosen(CapturedOutput output) {
        unconfigured.withUserConfiguration(OwnRedisConnection.class).run(context -> {
            assertThat(context).hasSingleBean(RedisIdempotencyStore.class);
            assertReachesTheTestRedis(context);
        });
        assertThat(startupLines(output)).containsExactly(
                "Reliant idempotency: Redis store through Lettuce"
                        + " (bean 'ownRedisConnection' (RedisConnectionFactory) is defined)");
    }

    @Test
    void redisNamedExplicitlyIsUsedWithSpringBootsDefaultConnection(CapturedOutput output) {
        unconfigured.withPropertyValues("reliant.idempotency.store=redis")
            .run(context -> assertThat(context).hasSingleBean(RedisIdempotencyStore.class)
                .hasBean("idempotencyFilter"));
        assertThat(startupLines(output))
            .containsExactly("Reliant idempotency: Redis store through Lettuce (reliant.idempotency.store=redis)");
    }

    @Test
    void withoutARedisConnectionOrADataSourceTheStartFailsAndSaysWhatToConfigure(CapturedOutput output) {
        unconfigured.run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new NoIdempotencyStoreFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getDescription())
                .startsWith("No store for idempotency records: reliant.idempotency.store is auto")
                .contains("Redis: no Redis connection is configured")
                .contains("JDBC: there is no DataSource bean");
            assertThat(analysis.getAction()).contains("set spring.data.redis.host")
                .contains("configure a DataSource (spring.datasource.url)")
                .contains("reliant.idempotency.enabled=false");
        });
        assertThat(startupLines(output)).isEmpty();
    }

    @Test
    void jdbcNamedExplicitlyWithoutADataSourceFailsTheStart() {
        runner.withPropertyValues("reliant.idempotency.store=jdbc").run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new NoIdempotencyStoreFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("reliant.idempotency.store is jdbc")
                .contains("JDBC: there is no DataSource bean")
                .doesNotContain("Redis:");
            assertThat(analysis.getAction()).startsWith("To keep the records in a PostgreSQL table, configure a"
                    + " DataSource (spring.datasource.url), or choose another store");
        });
    }

    @Test
    void aStartWithoutAStoreIsReportedAsAFailureAnalysis(CapturedOutput output) {
        SpringApplication application = new SpringApplication(NoStoreApplication.class);
        application.setWebApplicationType(WebApplicationType.SERVLET);
        application.setRegisterShutdownHook(false);
        assertThatException().isThrownBy(() -> application.run("--server.port=0", "--spring.main.banner-mode=off"))
            .isInstanceOf(NoIdempotencyStoreException.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("No store for idempotency records: reliant.idempotency.store is auto")
            .contains("Configure where the records are kept: set spring.data.redis.host");
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
    void withoutRedisOnTheClassPathAndWithoutADataSourceTheStartFails() {
        FilteredClassLoader withoutRedis =
                new FilteredClassLoader(LettuceConnectionFactory.class, JedisConnectionFactory.class);
        runner.withClassLoader(withoutRedis).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).isInstanceOf(NoIdempotencyStoreException.class)
                .hasMessageContaining("Redis: Redis is configured (spring.data.redis.host is set) but there is no"
                        + " LettuceConnectionFactory or JedisConnectionFactory bean");
        });
    }

    @Test
    void withoutRedisButWithADataSourceTheJdbcStoreIsChosen() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        runner.withClassLoader(new FilteredClassLoader(LettuceConnectionFactory.class, JedisConnectionFactory.class))
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
    void memoryStoreIsOnlyUsedWhenAskedFor(CapturedOutput output) {
        runner.withPropertyValues("reliant.idempotency.store=memory").run(context -> {
            assertThat(context).hasSingleBean(InMemoryIdempotencyStore.class);
            assertThat(context).doesNotHaveBean(RedisIdempotencyStore.class);
        });
        assertThat(startupLines(output)).containsExactly(
                "Reliant idempotency: in-memory store, records kept in this JVM only"
                        + " (reliant.idempotency.store=memory)");
    }

    @Test
    void streamingIdempotentEndpointsFailAtStartup() {
        runner.withUserConfiguration(StreamingController.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(rootMessage(context.getStartupFailure())).contains("Idempotency cannot protect")
                .contains("events")
                .contains("download");
            assertThat(context.getStartupFailure()).isInstanceOf(IdempotentStreamingHandlerException.class);
        });
    }

    @Test
    void aStartRefusedForAStreamingHandlerIsReportedAsAFailureAnalysis(CapturedOutput output) {
        SpringApplication application = new SpringApplication(StreamingApplication.class);
        application.setWebApplicationType(WebApplicationType.SERVLET);
        application.setRegisterShutdownHook(false);
        assertThatException()
            .isThrownBy(() -> application.run("--server.port=0", "--spring.main.banner-mode=off",
                    "--reliant.idempotency.store=memory"))
            .isInstanceOf(IdempotentStreamingHandlerException.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("so their response is not complete when it must be stored:")
            .containsPattern("\t- .*StreamingController#events\\[0 args]")
            .contains("Return the complete response from these handlers");
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

    /** The starter's startup lines in the output, without the log's prefix. */
    private static List<String> startupLines(CapturedOutput output) {
        return output.getOut()
            .lines()
            .filter(line -> line.contains("Reliant idempotency: "))
            .map(line -> line.substring(line.indexOf("Reliant idempotency: ")))
            .toList();
    }

    /** The store's connection goes to the test server, and it answers. */
    private static void assertReachesTheTestRedis(AssertableWebApplicationContext context) {
        TestRedis.Server redis = TestRedis.server();
        LettuceConnectionFactory connectionFactory = context.getBean(LettuceConnectionFactory.class);
        assertThat(connectionFactory.getHostName()).isEqualTo(redis.host());
        assertThat(connectionFactory.getPort()).isEqualTo(redis.port());
        try (RedisConnection connection = connectionFactory.getConnection()) {
            assertThat(connection.ping()).isEqualTo("PONG");
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRedisConnection {

        @Bean
        LettuceConnectionFactory ownRedisConnection() {
            TestRedis.Server redis = TestRedis.server();
            return new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ IdempotencyAutoConfiguration.class, DataRedisAutoConfiguration.class,
            WebMvcAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
            TomcatServletWebServerAutoConfiguration.class })
    static class NoStoreApplication {

    }

    @Configuration(proxyBeanMethods = false)
    @Import(StreamingController.class)
    static class StreamingApplication extends NoStoreApplication {

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
