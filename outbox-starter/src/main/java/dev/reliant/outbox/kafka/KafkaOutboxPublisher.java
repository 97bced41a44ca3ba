package dev.reliant.outbox.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import dev.reliant.outbox.NonRetryablePublishException;
import dev.reliant.outbox.OutboxHeaders;
import dev.reliant.outbox.OutboxMessage;
import dev.reliant.outbox.OutboxPublisher;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Publishes to the Kafka topic named by the destination, with the outbox key as record key (so one key stays on
 * one partition, in order) and the id, type, {@code traceparent} and other headers as record headers. Its producer
 * is idempotent with {@code acks=all}, whatever the application's producer uses, so an acknowledged record is
 * replicated and producer retries never duplicate or reorder it.
 */
public class KafkaOutboxPublisher implements OutboxPublisher, DisposableBean {

    private final KafkaTemplate<String, String> template;

    private final Duration stepTimeout;

    /**
     * @param template the template to send with
     * @param stepTimeout the longest {@link #publishAll} may block its caller, the relay, in all: a send blocks
     * while Kafka fetches the topic's metadata, up to {@code max.block.ms} for each message of a missing topic
     */
    public KafkaOutboxPublisher(KafkaTemplate<String, String> template, Duration stepTimeout) {
        this.template = template;
        this.stepTimeout = stepTimeout;
    }

    /**
     * A publisher with its own producer, configured like {@code base} (bootstrap servers, security, client settings)
     * but idempotent, {@code acks=all}, non-transactional and bounded by {@code publishTimeout}.
     */
    public static KafkaOutboxPublisher create(ProducerFactory<?, ?> base, Duration publishTimeout) {
        Map<String, Object> config = new HashMap<>(base.getConfigurationProperties());
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        // Kafka gives up on a record within the relay's publish timeout rather than delivering it after the relay
        // already counted it as failed, and a send never blocks the relay longer than that waiting for metadata.
        int timeout = (int) Math.min(Integer.MAX_VALUE, publishTimeout.toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, timeout / 2));
        // The relay sends a key's messages one after another; lingering to fill a batch would only add latency.
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        DefaultKafkaProducerFactory<String, String> factory = new DefaultKafkaProducerFactory<>(config,
                new StringSerializer(), new StringSerializer());
        return new KafkaOutboxPublisher(new KafkaTemplate<>(factory), publishTimeout);
    }

    /**
     * Sends the messages one after another, but blocks the relay no longer than the step timeout in all: once a
     * send to a destination has failed before reaching the broker (as one to a missing topic does, after waiting
     * for its metadata), the batch's other messages to that destination fail at once, and once the step timeout is
     * used up, every message not yet sent fails without being tried.
     */
    @Override
    public List<CompletableFuture<Void>> publishAll(List<OutboxMessage> messages) {
        long deadline = System.nanoTime() + stepTimeout.toNanos();
        Map<String, CompletableFuture<Void>> unavailable = new HashMap<>();
        List<CompletableFuture<Void>> sent = new ArrayList<>(messages.size());
        for (OutboxMessage message : messages) {
            CompletableFuture<Void> failedBefore = unavailable.get(message.destination());
            if (failedBefore != null) {
                sent.add(failedBefore);
            }
            else if (System.nanoTime() - deadline > 0) {
                sent.add(CompletableFuture.failedFuture(new TimeoutException("Not sent: the relay step's "
                        + stepTimeout + " were used up by the messages before it")));
            }
            else {
                CompletableFuture<Void> future = publish(message);
                if (future.isCompletedExceptionally()) {
                    unavailable.put(message.destination(), future);
                }
                sent.add(future);
            }
        }
        return sent;
    }

    @Override
    public CompletableFuture<Void> publish(OutboxMessage message) {
        RecordHeaders headers = new RecordHeaders();
        message.headers().forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
        headers.add(OutboxHeaders.MESSAGE_ID, message.id().toString().getBytes(StandardCharsets.UTF_8));
        headers.add(OutboxHeaders.MESSAGE_TYPE, message.type().getBytes(StandardCharsets.UTF_8));
        ProducerRecord<String, String> record = new ProducerRecord<>(message.destination(), null, message.key(),
                message.payload(), headers);
        try {
            return template.send(record).handle((result, failure) -> {
                if (failure != null) {
                    throw classify(failure);
                }
                return null;
            });
        }
        catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(classify(ex));
        }
    }

    private static RuntimeException classify(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RecordTooLargeException || cause instanceof SerializationException
                    || cause instanceof InvalidTopicException || cause instanceof AuthorizationException) {
                return new NonRetryablePublishException("Kafka rejected the record: " + cause.getMessage(), failure);
            }
        }
        return (failure instanceof RuntimeException runtime) ? runtime
                : new IllegalStateException(failure.getMessage(), failure);
    }

    /** The configuration of this publisher's producer. */
    public Map<String, Object> producerConfiguration() {
        return template.getProducerFactory().getConfigurationProperties();
    }

    @Override
    public void destroy() {
        template.getProducerFactory().reset();
    }
}
