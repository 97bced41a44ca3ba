package dev.reliant.test.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * An {@link ObservationRegistry} for a {@code @ReliantTest} context that has none (no actuator), created before
 * the saga starter picks its registry: the kit counts compensations through the observations the starter makes.
 */
@AutoConfiguration(
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
        beforeName = "dev.reliant.saga.autoconfigure.SagaAutoConfiguration")
@ConditionalOnClass(name = "dev.reliant.saga.core.SagaEngine")
public final class ReliantTestObservationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ObservationRegistry reliantTestObservationRegistry() {
        return ObservationRegistry.create();
    }

}
