package dev.reliant.outbox.inbox;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.reliant.outbox.IdempotentConsumer;
import dev.reliant.outbox.Inbox;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.core.annotation.AnnotatedElementUtils;

/** Runs {@link IdempotentConsumer} methods through the {@link Inbox}. */
public class IdempotentConsumerInterceptor implements MethodInterceptor {

    private final Supplier<Inbox> inbox;

    private final String defaultConsumer;

    private final List<MessageIdResolver> resolvers;

    /**
     * @param inbox the inbox, looked up on first use, so that the interceptor can be created before it
     */
    public IdempotentConsumerInterceptor(Supplier<Inbox> inbox, String defaultConsumer,
            List<MessageIdResolver> resolvers) {
        this.inbox = inbox;
        this.defaultConsumer = defaultConsumer;
        this.resolvers = List.copyOf(resolvers);
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        IdempotentConsumer annotation = AnnotatedElementUtils.findMergedAnnotation(invocation.getMethod(),
                IdempotentConsumer.class);
        String consumer = (annotation == null || annotation.value().isEmpty()) ? defaultConsumer : annotation.value();
        String messageId = messageId(invocation);
        try {
            return inbox.get().process(consumer, messageId, () -> {
                try {
                    return invocation.proceed();
                }
                catch (RuntimeException | Error ex) {
                    throw ex;
                }
                catch (Throwable ex) {
                    throw new CheckedFailure(ex);
                }
            });
        }
        catch (CheckedFailure ex) {
            throw ex.getCause();
        }
    }

    private String messageId(MethodInvocation invocation) {
        for (Object argument : invocation.getArguments()) {
            for (MessageIdResolver resolver : resolvers) {
                Optional<String> id = resolver.resolve(argument);
                if (id.isPresent()) {
                    return id.get();
                }
            }
        }
        throw new IllegalStateException("@IdempotentConsumer method " + invocation.getMethod()
                + " has no argument carrying an outbox message id (ConsumerRecord, AMQP Message, "
                + "messaging Message or OutboxMessage)");
    }

    /** Carries a checked exception through the inbox's transaction, which rolls back on it. */
    private static final class CheckedFailure extends RuntimeException {

        CheckedFailure(Throwable cause) {
            super(cause);
        }
    }
}
