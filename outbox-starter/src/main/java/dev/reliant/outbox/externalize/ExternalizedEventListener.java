package dev.reliant.outbox.externalize;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.reliant.outbox.Externalized;
import dev.reliant.outbox.Outbox;
import dev.reliant.outbox.OutboxEvent;

import org.springframework.context.ApplicationEvent;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.GenericApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.util.StringUtils;

/**
 * Writes every published application event whose type is {@link Externalized} to the outbox, in the publishing
 * thread and so in its transaction. Runs before the application's own listeners, so that a listener that fails
 * after the message was written rolls both back together.
 */
public class ExternalizedEventListener implements GenericApplicationListener {

    private static final SpelExpressionParser PARSER = new SpelExpressionParser();

    private final Outbox outbox;

    private final Map<Class<?>, Target> targets = new ConcurrentHashMap<>();

    public ExternalizedEventListener(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public boolean supportsEventType(ResolvableType eventType) {
        Class<?> type = eventType.toClass();
        if (PayloadApplicationEvent.class.isAssignableFrom(type)) {
            type = eventType.as(PayloadApplicationEvent.class).getGeneric().toClass();
        }
        return AnnotatedElementUtils.hasAnnotation(type, Externalized.class);
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        Object payload = (event instanceof PayloadApplicationEvent<?> wrapped) ? wrapped.getPayload() : event;
        Target target = targets.computeIfAbsent(payload.getClass(), Target::of);
        if (target == null) {
            return;
        }
        outbox.publish(OutboxEvent.of(target.destination(), target.key(payload), target.type(), payload));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    /** Where the events of one class go. */
    private record Target(String destination, Expression keyExpression, String type, Class<?> eventType) {

        static Target of(Class<?> eventType) {
            Externalized externalized = AnnotatedElementUtils.findMergedAnnotation(eventType, Externalized.class);
            if (externalized == null) {
                return null;
            }
            String type = StringUtils.hasText(externalized.type()) ? externalized.type() : eventType.getSimpleName();
            return new Target(externalized.destination(), PARSER.parseExpression(externalized.key()), type,
                    eventType);
        }

        String key(Object event) {
            Object key = keyExpression.getValue(new StandardEvaluationContext(event));
            if (key == null || !StringUtils.hasText(key.toString())) {
                throw new IllegalArgumentException("The key expression '" + keyExpression.getExpressionString()
                        + "' of @Externalized " + eventType.getName() + " gave no key for " + event);
            }
            return key.toString();
        }
    }
}
