package dev.reliant.sample;

import java.net.http.HttpResponse;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values the API cannot store as given are refused with a 400 problem before anything happens: never a 500, never
 * a silently changed value.
 */
class SampleInputValidationTests {

    private static ConfigurableApplicationContext app;

    private static int port;

    private static JdbcClient jdbc;

    @BeforeAll
    static void start() {
        app = SampleApp.start();
        port = SampleApp.port(app);
        jdbc = app.getBean(JdbcClient.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    SampleClient alice;

    String sku;

    @BeforeEach
    void stock() {
        alice = new SampleClient(port, "alice");
        sku = "in-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(alice.putStock(sku, 10).statusCode()).isEqualTo(200);
    }

    @Test
    void fractionalNumbersAreRefusedNotTruncated() {
        String key = UUID.randomUUID().toString();
        assertProblem(alice.order(key, "{\"sku\":\"" + sku + "\",\"quantity\":1.9,\"amountCents\":1500}"));
        assertProblem(alice.order(key, "{\"sku\":\"" + sku + "\",\"quantity\":1,\"amountCents\":1500.99}"));
        assertProblem(alice.put("/inventory/" + sku, "{\"available\":2.5}"));
        assertThat(alice.stock(sku).body()).contains("\"available\":10");
        assertThat(orders(sku)).isZero();

        assertThat(alice.order(key, SampleClient.orderJson(sku, 1, 1500, "fine")).statusCode()).isEqualTo(201);
    }

    @Test
    void duplicateFieldsAreRefused() {
        assertProblem(alice.order(UUID.randomUUID().toString(),
                "{\"sku\":\"" + sku + "\",\"quantity\":1,\"quantity\":5,\"amountCents\":1500}"));
        assertProblem(alice.put("/inventory/" + sku, "{\"available\":1,\"available\":7}"));
        assertThat(alice.stock(sku).body()).contains("\"available\":10");
        assertThat(orders(sku)).isZero();
    }

    @Test
    void nulCharactersAreRefused() {
        assertProblem(alice.order(UUID.randomUUID().toString(),
                "{\"sku\":\"" + sku + "\",\"quantity\":1,\"amountCents\":1500,\"reference\":\"a\\u0000b\"}"));
        assertProblem(alice.order(UUID.randomUUID().toString(),
                "{\"sku\":\"" + sku + "\\u0000\",\"quantity\":1,\"amountCents\":1500}"));
        assertProblem(alice.get("/orders?reference=a%00b"));
        assertThat(alice.stock(sku).body()).contains("\"available\":10");
        assertThat(orders(sku)).isZero();
    }

    @Test
    void overLongStringsAreRefused() {
        String longSku = "s".repeat(65);
        assertProblem(alice.putStock(longSku, 1));
        assertProblem(alice.stock(longSku));
        assertProblem(alice.order(UUID.randomUUID().toString(), SampleClient.orderJson(longSku, 1, 1500, "r")));
        assertProblem(alice.order(UUID.randomUUID().toString(),
                SampleClient.orderJson(sku, 1, 1500, "r".repeat(201))));
        assertProblem(alice.get("/orders?reference=" + "r".repeat(201)));
        assertThat(alice.stock(sku).body()).contains("\"available\":10");
    }

    private static void assertProblem(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    private int orders(String sku) {
        return jdbc.sql("SELECT count(*) FROM customer_order WHERE sku = ?").param(sku).query(Integer.class).single();
    }
}
