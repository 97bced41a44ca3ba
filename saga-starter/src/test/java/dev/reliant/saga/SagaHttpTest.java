package dev.reliant.saga;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/** A whole application on a real server: request sagas, the health indicator and the endpoint over HTTP. */
@SpringBootTest(classes = SagaHttpTest.Application.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=health,sagas",
                "management.endpoint.health.show-details=always", "reliant.saga.recovery.interval=1h",
                "reliant.saga.compensation.max-attempts=2", "reliant.saga.compensation.initial-backoff=10ms",
                "spring.flyway.enabled=false" })
class SagaHttpTest {

    private static final TestPostgres.Schema schema = TestPostgres.newSchema();

    private static final HikariDataSource dataSource = schema.dataSource();

    private static final JdbcTemplate jdbc = new JdbcTemplate(dataSource);

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    private int port;

    @Autowired
    private Ledger ledger;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        Ledger.createTables(jdbc);
        registry.add("spring.datasource.url", schema::jdbcUrl);
        registry.add("spring.datasource.username", schema::username);
        registry.add("spring.datasource.password", schema::password);
    }

    @AfterAll
    static void dropSchema() {
        schema.drop(dataSource);
        dataSource.close();
    }

    @Test
    void compensatedRequestFailsAndAStuckSagaIsRepairedThroughTheEndpoint() throws Exception {
        assertThat(send("POST", "/orders", null).statusCode()).isEqualTo(500);
        String compensated = lastSaga();
        assertThat(SagaCompensationTest.stateOf(jdbc, compensated)).isEqualTo("COMPENSATED");
        assertThat(ledger.released(compensated)).containsExactly("b", "a");

        ledger.failNext("b", Integer.MAX_VALUE);
        assertThat(send("POST", "/orders", null).statusCode()).isEqualTo(500);
        String stuck = lastSaga();
        assertThat(SagaCompensationTest.stateOf(jdbc, stuck)).isEqualTo("STUCK");

        // a stuck saga needs an operator, not a drained instance: the overall health stays UP, the saga
        // contributor shows it
        HttpResponse<String> health = send("GET", "/actuator/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).endsWith("\"status\":\"UP\"}").contains("\"saga\"").contains("\"stuck\":1");
        HttpResponse<String> sagaHealth = send("GET", "/actuator/health/saga", null);
        assertThat(sagaHealth.statusCode()).isEqualTo(200);
        assertThat(sagaHealth.body()).contains("\"status\":\"STUCK\"").contains("\"stuck\":1");
        assertThat(send("GET", "/actuator/sagas", null).body()).contains(stuck);
        assertThat(send("GET", "/actuator/sagas?state=COMPENSATED", null).body()).contains(compensated)
            .doesNotContain(stuck);

        ledger.heal("b");
        HttpResponse<String> retry = send("POST", "/actuator/sagas/" + stuck, "{\"action\":\"retry\"}");
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).contains("\"state\":\"COMPENSATED\"");
        assertThat(ledger.released(stuck)).containsExactly("b", "a");
        assertThat(send("GET", "/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/sagas/" + stuck, null).body()).contains("\"state\":\"COMPENSATED\"");
    }

    private HttpResponse<String> send(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, (json != null) ? HttpRequest.BodyPublishers.ofString(json)
                : HttpRequest.BodyPublishers.noBody());
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String lastSaga() {
        return jdbc.queryForObject("SELECT id::text FROM reliant_saga ORDER BY created_at DESC LIMIT 1",
                String.class);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class Application {

        @Bean
        Ledger ledger(JdbcTemplate jdbc) {
            return new Ledger(jdbc);
        }

        @Bean
        OrderController orderController(Saga saga, Ledger ledger) {
            return new OrderController(saga, ledger);
        }

    }

    @RestController
    static class OrderController {

        private final Saga saga;

        private final Ledger ledger;

        OrderController(Saga saga, Ledger ledger) {
            this.saga = saga;
            this.ledger = ledger;
        }

        @PostMapping("/orders")
        String order() {
            for (String step : List.of("a", "b")) {
                saga.step(step, () -> ledger.reserve(saga.id(), step), DurableCompensation.of("release", step));
            }
            throw new IllegalStateException("payment declined");
        }

    }

}
