package dev.reliant.saga.autoconfigure;

import dev.reliant.saga.actuate.SagaEndpoint;
import dev.reliant.saga.actuate.SagaHealthIndicator;
import dev.reliant.saga.recovery.SagaAdministration;

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

/** The {@code saga} health indicator and the {@code sagas} Actuator endpoint. */
@AutoConfiguration(after = SagaAutoConfiguration.class)
@ConditionalOnBean(SagaAdministration.class)
public final class SagaActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnEnabledHealthIndicator("saga")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "sagaHealthIndicator")
        SagaHealthIndicator sagaHealthIndicator(SagaAdministration administration) {
            return new SagaHealthIndicator(administration);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
    static class EndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint
        SagaEndpoint sagaEndpoint(SagaAdministration administration) {
            return new SagaEndpoint(administration);
        }

    }

}
