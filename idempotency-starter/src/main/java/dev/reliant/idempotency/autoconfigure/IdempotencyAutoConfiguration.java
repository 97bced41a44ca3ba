package dev.reliant.idempotency.autoconfigure;

import java.time.Clock;
import java.util.HashSet;
import java.util.List;

import dev.reliant.idempotency.IdempotencyScopeResolver;
import dev.reliant.idempotency.IdempotencyStore;
import dev.reliant.idempotency.IdempotencyTenantResolver;
import dev.reliant.idempotency.metrics.IdempotencyMetrics;
import dev.reliant.idempotency.metrics.MicrometerIdempotencyMetrics;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.idempotency.outcome.OutcomeLog;
import dev.reliant.idempotency.outcome.RequestTransactions;
import dev.reliant.idempotency.web.HandlerFailureRecorder;
import dev.reliant.idempotency.web.HandlerInvocationInterceptor;
import dev.reliant.idempotency.web.IdempotencyFilter;
import dev.reliant.idempotency.web.IdempotencyPolicy;
import dev.reliant.idempotency.web.IdempotencyPolicyResolver;
import dev.reliant.idempotency.web.LeaseHeartbeat;
import dev.reliant.idempotency.web.ScopeResolvers;
import dev.reliant.idempotency.web.StreamingEndpointGuard;
import dev.reliant.idempotency.web.AuthorityTenantResolver;
import dev.reliant.idempotency.web.TenantResolvers;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Makes {@code @Idempotent} Spring MVC endpoints (and those matched by {@code reliant.idempotency.rules}) run at
 * most once per {@code Idempotency-Key}.
 * <p>
 * The filter is ordered at {@code reliant.idempotency.filter-order} (default -90), right after Spring Security's
 * filter chain (-100): the principal that scopes keys is known, and requests that security rejects never touch the
 * store.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
        "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
        "io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration",
        "io.github.resilience4j.springboot.timelimiter.autoconfigure.TimeLimiterAutoConfiguration" })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBooleanProperty(name = "reliant.idempotency.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdempotencyProperties.class)
@Import({ IdempotencyStoreConfigurations.LettuceRedisStoreConfiguration.class,
        IdempotencyStoreConfigurations.JedisRedisStoreConfiguration.class,
        IdempotencyStoreConfigurations.JdbcStoreConfiguration.class,
        IdempotencyStoreConfigurations.MemoryStoreConfiguration.class,
        IdempotencyStoreConfigurations.NoStoreConfiguration.class, IdempotencyOutcomeConfiguration.class,
        IdempotencyAutoConfiguration.MetricsConfiguration.class })
public class IdempotencyAutoConfiguration {

    private static final String SPRING_SECURITY_AUTHENTICATION = "org.springframework.security.core.Authentication";

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(IdempotencyStore.class)
    GuardedIdempotencyStore guardedIdempotencyStore(IdempotencyStore store, IdempotencyProperties properties,
            ObjectProvider<CircuitBreakerRegistry> circuitBreakers, ObjectProvider<TimeLimiterRegistry> timeLimiters,
            ObjectProvider<IdempotencyMetrics> metrics, ObjectProvider<ObservationRegistry> observations) {
        String instance = properties.getResilienceInstance();
        CircuitBreakerRegistry breakers = circuitBreakers.getIfAvailable(CircuitBreakerRegistry::ofDefaults);
        return new GuardedIdempotencyStore(store, breakers.circuitBreaker(instance),
                breakers.circuitBreaker(instance + "-settle"),
                timeLimiters.getIfAvailable(TimeLimiterRegistry::ofDefaults).timeLimiter(instance),
                metrics.getIfAvailable(() -> IdempotencyMetrics.NONE),
                observations.getIfUnique(() -> ObservationRegistry.NOOP));
    }

    @Bean
    @ConditionalOnBean(IdempotencyStore.class)
    IdempotencyStoreReport idempotencyStoreReport(IdempotencyStore store, IdempotencyProperties properties,
            ConfigurableListableBeanFactory beanFactory, Environment environment) {
        return new IdempotencyStoreReport(store, properties.getStore(),
                ConfiguredConnection.REDIS.reason(beanFactory, environment));
    }

    @Bean
    @ConditionalOnMissingBean
    IdempotencyTenantResolver idempotencyTenantResolver(IdempotencyProperties properties,
            ResourceLoader resourceLoader) {
        IdempotencyProperties.Tenant tenant = properties.getScope().getTenant();
        if (StringUtils.hasText(tenant.getTrustedHeader())) {
            return TenantResolvers.byTrustedHeader(tenant.getTrustedHeader(), tenant.isWithPrincipal());
        }
        if (ClassUtils.isPresent(SPRING_SECURITY_AUTHENTICATION, resourceLoader.getClassLoader())) {
            return new AuthorityTenantResolver(tenant.getAuthorityPrefix());
        }
        return TenantResolvers.none();
    }

    @Bean
    @ConditionalOnMissingBean
    IdempotencyScopeResolver idempotencyScopeResolver(IdempotencyProperties properties,
            IdempotencyTenantResolver tenants) {
        return switch (properties.getScope().getMode()) {
            case PRINCIPAL -> ScopeResolvers.byPrincipal();
            case TENANT -> ScopeResolvers.byTenant(tenants);
            case GLOBAL -> ScopeResolvers.global();
        };
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnBean(GuardedIdempotencyStore.class)
    @ConditionalOnBooleanProperty(name = "reliant.idempotency.heartbeat.enabled", matchIfMissing = true)
    LeaseHeartbeat idempotencyLeaseHeartbeat(GuardedIdempotencyStore store, IdempotencyProperties properties) {
        return new LeaseHeartbeat(store, properties.getHeartbeat().getInterval(),
                properties.getHeartbeat().getMaxExecutionTime());
    }

    @Bean
    @ConditionalOnMissingBean
    IdempotencyPolicyResolver idempotencyPolicyResolver(List<RequestMappingHandlerMapping> handlerMappings,
            IdempotencyProperties properties) {
        IdempotencyPolicy defaults = new IdempotencyPolicy(true, properties.getRetention(), properties.getLease(),
                properties.getFingerprint(), List.of(), dev.reliant.idempotency.IdempotencyScope.DEFAULT);
        List<IdempotencyPolicyResolver.PathRule> rules = properties.getRules()
            .stream()
            .map(rule -> new IdempotencyPolicyResolver.PathRule(rule.getMethod(), rule.getPattern(),
                    rule.isRequired(), rule.getTtl(), rule.getLease(), rule.getFingerprint()))
            .toList();
        return new IdempotencyPolicyResolver(handlerMappings, rules, defaults);
    }

    @Bean
    static HandlerFailureRecorder idempotencyHandlerFailureRecorder() {
        return new HandlerFailureRecorder();
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static HandlerInvocationInterceptor idempotencyHandlerInvocationInterceptor() {
        return new HandlerInvocationInterceptor();
    }

    @Bean
    StreamingEndpointGuard idempotencyStreamingEndpointGuard(List<RequestMappingHandlerMapping> handlerMappings,
            IdempotencyPolicyResolver policies) {
        return new StreamingEndpointGuard(handlerMappings, policies);
    }

    @Bean
    @ConditionalOnMissingBean(IdempotencyFilter.class)
    @ConditionalOnBean(GuardedIdempotencyStore.class)
    FilterRegistrationBean<IdempotencyFilter> idempotencyFilter(IdempotencyPolicyResolver policies,
            IdempotencyScopeResolver scopeResolver, IdempotencyTenantResolver tenantResolver,
            GuardedIdempotencyStore store,
            ObjectProvider<LeaseHeartbeat> heartbeat, ObjectProvider<IdempotencyMetrics> metrics,
            ObjectProvider<RequestTransactions> transactions, ObjectProvider<OutcomeLog> outcomes,
            IdempotencyProperties properties, ObjectProvider<ObservationRegistry> observations) {
        IdempotencyFilter.Settings settings = new IdempotencyFilter.Settings(properties.getHeaderName(),
                properties.getMaxKeyLength(), properties.getScope().getMaxLength(),
                properties.getMaxRequestSize().toBytes(),
                properties.getMaxStoredResponseSize().toBytes(), properties.getReplayedHeaders(),
                new HashSet<>(properties.getUnstoredStatuses()), properties.isStoreRejectedBeforeHandler(),
                properties.getFailureMode() == IdempotencyProperties.FailureMode.FAIL_OPEN,
                properties.getInFlightRetryAfter(), properties.getUnavailableRetryAfter(),
                properties.isAdvertiseExpiry());
        IdempotencyFilter filter = new IdempotencyFilter(policies,
                new ScopeResolvers(scopeResolver, tenantResolver), store,
                heartbeat.getIfAvailable(), metrics.getIfAvailable(() -> IdempotencyMetrics.NONE), settings,
                Clock.systemUTC(), transactions.getIfAvailable(), outcomes.getIfAvailable(),
                observations.getIfUnique(() -> ObservationRegistry.NOOP));
        FilterRegistrationBean<IdempotencyFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName("idempotencyFilter");
        registration.setOrder(properties.getFilterOrder());
        return registration;
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    static class MetricsConfiguration {

        @Bean
        @ConditionalOnMissingBean
        IdempotencyMetrics idempotencyMetrics(MeterRegistry registry) {
            return new MicrometerIdempotencyMetrics(registry);
        }
    }
}
