package dev.reliant.testsupport;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The condition behind {@link RequiresRabbit}. */
final class RabbitCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (TestRabbit.configured()) {
            return ConditionEvaluationResult.enabled(TestRabbit.URL_ENV + " is set");
        }
        String reason = "SKIPPED " + context.getDisplayName() + ": no RabbitMQ configured (set "
                + TestRabbit.URL_ENV + "=amqp://guest:guest@127.0.0.1:5672 to run it)";
        // Surefire shows the reason only in its reports; the console line makes the skip visible in every build log.
        System.err.println(reason);
        return ConditionEvaluationResult.disabled(reason);
    }
}
