package dev.reliant.idempotency.autoconfigure;

import dev.reliant.idempotency.actuate.IdempotencyEndpoint;
import dev.reliant.idempotency.actuate.IdempotencyStoreHealthIndicator;
import dev.reliant.idempotency.outcome.OutcomeLog;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The idempotency Actuator endpoint and store health indicator, when Actuator is on the class path. */
@AutoConfiguration(after = IdempotencyAutoConfiguration.class)
@ConditionalOnBean(GuardedIdempotencyStore.class)
public class IdempotencyActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
    static class EndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint
        IdempotencyEndpoint idempotencyEndpoint(GuardedIdempotencyStore store, ObjectProvider<OutcomeLog> outcomes) {
            return new IdempotencyEndpoint(store, outcomes.getIfAvailable());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "idempotencyStoreHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("idempotency")
        IdempotencyStoreHealthIndicator idempotencyStoreHealthIndicator(GuardedIdempotencyStore store) {
            return new IdempotencyStoreHealthIndicator(store);
        }
    }
}
