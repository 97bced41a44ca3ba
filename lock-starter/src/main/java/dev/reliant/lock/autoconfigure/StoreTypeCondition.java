package dev.reliant.lock.autoconfigure;

import java.util.Locale;

import dev.reliant.lock.autoconfigure.LockProperties.StoreType;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code reliant.lock.store} names this store or is AUTO. */
abstract class StoreTypeCondition extends SpringBootCondition {

    private final StoreType type;

    StoreTypeCondition(StoreType type) {
        this.type = type;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String value = context.getEnvironment().getProperty("reliant.lock.store", StoreType.AUTO.name());
        StoreType configured = StoreType.valueOf(value.trim().replace('-', '_').toUpperCase(Locale.ROOT));
        return new ConditionOutcome(configured == type || configured == StoreType.AUTO,
                "reliant.lock.store is " + configured);
    }

    static final class Redis extends StoreTypeCondition {

        Redis() {
            super(StoreType.REDIS);
        }

    }

    static final class Jdbc extends StoreTypeCondition {

        Jdbc() {
            super(StoreType.JDBC);
        }

    }

}
