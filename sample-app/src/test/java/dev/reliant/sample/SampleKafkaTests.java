package dev.reliant.sample;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import dev.reliant.testsupport.TestKafka;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** With {@code spring.kafka.bootstrap-servers} set, order events travel through Kafka and are confirmed once. */
class SampleKafkaTests {

    @Test
    void ordersAreConfirmedThroughKafka() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        TestRedis.Server redis = TestRedis.server();
        try (ConfigurableApplicationContext app = SpringApplication.run(SampleApplication.class, "--server.port=0",
                "--spring.datasource.url=" + schema.jdbcUrl(), "--spring.datasource.username=" + schema.username(),
                "--spring.datasource.password=" + schema.password(), "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port(),
                "--reliant.idempotency.redis.key-prefix=" + TestRedis.newKeyPrefix(),
                "--spring.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--spring.kafka.consumer.auto-offset-reset=earliest")) {
            assertThat(app.getEnvironment().getProperty("reliant.outbox.publisher")).isEqualTo("kafka");
            SampleClient alice = new SampleClient(
                    app.getEnvironment().getRequiredProperty("local.server.port", Integer.class), "alice");
            String sku = "kafka-" + UUID.randomUUID().toString().substring(0, 8);
            alice.putStock(sku, 3);
            HttpResponse<String> created = alice.order(UUID.randomUUID().toString(),
                    SampleClient.orderJson(sku, 1, 500, "kafka"));
            assertThat(created.statusCode()).isEqualTo(201);
            String location = created.headers().firstValue("Location").orElseThrow();
            await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(alice.get(location).body()).contains("\"confirmationsSent\":1"));
        }
    }
}
