package dev.reliant.lock.autoconfigure;

import java.util.Locale;
import java.util.Optional;

import dev.reliant.lock.autoconfigure.LockProperties.StoreType;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code reliant.lock.store} names this store, or is AUTO and this store may be chosen. Evaluated once
 * the beans are registered, since AUTO looks at the application's connection beans.
 */
abstract class StoreTypeCondition extends SpringBootCondition implements ConfigurationCondition {

    static final String PROPERTY = "reliant.lock.store";

    private final StoreType type;

    StoreTypeCondition(StoreType type) {
        this.type = type;
    }

    /** The store named by {@code reliant.lock.store}, AUTO when it is not set. */
    static StoreType configured(Environment environment) {
        String value = environment.getProperty(PROPERTY, StoreType.AUTO.name());
        return StoreType.valueOf(value.trim().replace('-', '_').toUpperCase(Locale.ROOT));
    }

    @Override
    public ConfigurationPhase getConfigurationPhase() {
        return ConfigurationPhase.REGISTER_BEAN;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        StoreType configured = configured(context.getEnvironment());
        if (configured == type) {
            return ConditionOutcome.match(PROPERTY + " is " + configured);
        }
        if (configured != StoreType.AUTO) {
            return ConditionOutcome.noMatch(PROPERTY + " is " + configured);
        }
        return chosenByAuto(context);
    }

    /** Whether AUTO may choose this store. */
    abstract ConditionOutcome chosenByAuto(ConditionContext context);

    static final class Redis extends StoreTypeCondition {

        Redis() {
            super(StoreType.REDIS);
        }

        @Override
        ConditionOutcome chosenByAuto(ConditionContext context) {
            Optional<String> configured = ConfiguredConnection.REDIS.reason(context.getBeanFactory(),
                    context.getEnvironment());
            return new ConditionOutcome(configured.isPresent(),
                    PROPERTY + " is AUTO and " + configured.orElse("no Redis connection is configured"));
        }

    }

    static final class Jdbc extends StoreTypeCondition {

        Jdbc() {
            super(StoreType.JDBC);
        }

        @Override
        ConditionOutcome chosenByAuto(ConditionContext context) {
            return ConditionOutcome.match(PROPERTY + " is AUTO");
        }

    }

}
