package dev.reliant.benchmarks.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reliant.outbox.OutboxHeaders;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A fresh Kafka topic of 6 partitions read by one consumer from the start; the message id is the
 * {@value OutboxHeaders#MESSAGE_ID} header.
 */
final class KafkaReceiver extends Receiver {

    private final String topic = "reliant-bench-" + UUID.randomUUID().toString().substring(0, 8);

    private final Thread poller;

    private volatile boolean running = true;

    KafkaReceiver(String bootstrapServers) throws Exception {
        try (AdminClient admin = AdminClient
            .create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        }
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ConsumerConfig.GROUP_ID_CONFIG, topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        this.poller = new Thread(() -> {
            try (consumer) {
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        Header id = record.headers().lastHeader(OutboxHeaders.MESSAGE_ID);
                        arrived(id == null ? null : new String(id.value(), StandardCharsets.UTF_8),
                                System.nanoTime());
                    }
                }
            }
        }, "kafka-receiver");
        poller.start();
    }

    @Override
    String destination() {
        return topic;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.join(10_000);
    }

}
