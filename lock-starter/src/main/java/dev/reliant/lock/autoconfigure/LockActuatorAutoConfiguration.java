package dev.reliant.lock.autoconfigure;

import dev.reliant.lock.LockRegistry;
import dev.reliant.lock.LockStore;
import dev.reliant.lock.actuate.LockStoreHealthIndicator;
import dev.reliant.lock.actuate.LocksEndpoint;

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

/** The {@code locks} Actuator endpoint and the lock store's health indicator, when Actuator is present. */
@AutoConfiguration(after = LockAutoConfiguration.class)
@ConditionalOnBean(LockRegistry.class)
public class LockActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
    static class EndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint
        LocksEndpoint locksEndpoint(LockRegistry registry) {
            return new LocksEndpoint(registry);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
    @ConditionalOnBean(LockStore.class)
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "lockStoreHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("lock")
        LockStoreHealthIndicator lockStoreHealthIndicator(LockStore store, LockRegistry registry) {
            return new LockStoreHealthIndicator(store, registry);
        }

    }

}
