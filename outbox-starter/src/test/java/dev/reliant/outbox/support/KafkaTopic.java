package dev.reliant.outbox.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reliant.testsupport.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/** A fresh topic on the test broker and a consumer that reads it from the start. */
public final class KafkaTopic implements AutoCloseable {

    public final String name;

    private final KafkaConsumer<String, String> consumer;

    private final List<ConsumerRecord<String, String>> received = new ArrayList<>();

    public KafkaTopic(int partitions) {
        this("outbox-" + UUID.randomUUID());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
        catch (Exception ex) {
            throw new IllegalStateException("Could not create topic " + name, ex);
        }
    }

    private KafkaTopic(String name) {
        this.name = name;
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000),
                new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(name));
    }

    /** Another reader of this topic, in a consumer group of its own. */
    public KafkaTopic sameTopicReader() {
        return new KafkaTopic(name);
    }

    /** Reads what arrived since the last call, waiting at most {@code timeout}, and returns everything read. */
    public List<ConsumerRecord<String, String>> poll(Duration timeout) {
        consumer.poll(timeout).forEach(received::add);
        return received;
    }

    public static String header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
