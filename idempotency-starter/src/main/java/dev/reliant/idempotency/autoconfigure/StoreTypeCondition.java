package dev.reliant.idempotency.autoconfigure;

import java.util.Locale;

import dev.reliant.idempotency.autoconfigure.IdempotencyProperties.StoreType;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code reliant.idempotency.store} names this store, or is AUTO and this store may be chosen. */
abstract class StoreTypeCondition extends SpringBootCondition {

    private final StoreType type;

    private final boolean chosenByAuto;

    StoreTypeCondition(StoreType type, boolean chosenByAuto) {
        this.type = type;
        this.chosenByAuto = chosenByAuto;
    }

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String value = context.getEnvironment().getProperty("reliant.idempotency.store", StoreType.AUTO.name());
        StoreType configured = StoreType.valueOf(value.trim().replace('-', '_').toUpperCase(Locale.ROOT));
        boolean matches = configured == type || (configured == StoreType.AUTO && chosenByAuto);
        return new ConditionOutcome(matches, "reliant.idempotency.store is " + configured);
    }

    static final class Redis extends StoreTypeCondition {

        Redis() {
            super(StoreType.REDIS, true);
        }
    }

    static final class Jdbc extends StoreTypeCondition {

        Jdbc() {
            super(StoreType.JDBC, true);
        }
    }

    static final class Memory extends StoreTypeCondition {

        Memory() {
            super(StoreType.MEMORY, false);
        }
    }
}
