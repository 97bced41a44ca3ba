package dev.reliant.sample;

import java.util.UUID;

import dev.reliant.sample.inventory.InventoryService;
import dev.reliant.sample.payment.PaymentClient;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sample's saga participants refuse an action that arrives after its compensation (an owner that lost its
 * saga while the action was in flight): a release or refund of something unknown leaves a tombstone.
 */
class LateActionTests {

    private static ConfigurableApplicationContext app;

    private static JdbcClient jdbc;

    @BeforeAll
    static void start() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        TestRedis.Server redis = TestRedis.server();
        app = SpringApplication.run(SampleApplication.class, "--server.port=0",
                "--spring.datasource.url=" + schema.jdbcUrl(), "--spring.datasource.username=" + schema.username(),
                "--spring.datasource.password=" + schema.password(), "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port(),
                "--reliant.idempotency.redis.key-prefix=" + TestRedis.newKeyPrefix());
        jdbc = app.getBean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void reserveArrivingAfterItsReleaseIsRefused() {
        InventoryService inventory = app.getBean(InventoryService.class);
        String sku = "sku-" + UUID.randomUUID().toString().substring(0, 8);
        inventory.setAvailable(sku, 5);
        String reservation = UUID.randomUUID().toString();

        assertThat(inventory.release(reservation)).isFalse();
        assertThatThrownBy(() -> inventory.reserve(reservation, sku, 2)).hasMessageContaining("released");
        assertThat(inventory.available(sku)).contains(5);
        assertThat(inventory.release(reservation)).isFalse();
        assertThat(inventory.available(sku)).contains(5);

        String kept = UUID.randomUUID().toString();
        inventory.reserve(kept, sku, 2);
        inventory.reserve(kept, sku, 2);
        assertThat(inventory.available(sku)).contains(3);
        assertThat(inventory.release(kept)).isTrue();
        assertThat(inventory.release(kept)).isFalse();
        assertThat(inventory.available(sku)).contains(5);
    }

    @Test
    void chargeArrivingAfterItsRefundIsRefusedByTheProvider() {
        PaymentClient payments = app.getBean(PaymentClient.class);
        String charge = UUID.randomUUID().toString();
        payments.refund(charge);
        assertThatThrownBy(() -> payments.charge(charge, 700, null, false)).hasMessageContaining("409");
        // the provider's answer to a late charge is a conflict, not a charge
        assertThat(chargedAndNotRefunded(charge)).isZero();

        String paid = UUID.randomUUID().toString();
        payments.charge(paid, 700, null, false);
        payments.charge(paid, 700, null, false);
        assertThat(chargedAndNotRefunded(paid)).isEqualTo(1);
        payments.refund(paid);
        assertThat(chargedAndNotRefunded(paid)).isZero();
    }

    private static long chargedAndNotRefunded(String id) {
        return jdbc.sql("SELECT count(*) FROM payment_charge WHERE id = ? AND amount_cents IS NOT NULL AND NOT refunded")
            .param(id)
            .query(Long.class)
            .single();
    }

}
