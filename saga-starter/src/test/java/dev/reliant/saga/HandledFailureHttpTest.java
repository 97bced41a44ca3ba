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
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handler that throws fails its saga whatever status the application answers the exception with, even one that is
 * not a configured failure status (the default, 5xx only, is kept here).
 */
@SpringBootTest(classes = HandledFailureHttpTest.Application.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "reliant.saga.recovery.interval=1h", "spring.flyway.enabled=false" })
class HandledFailureHttpTest {

    private static final TestPostgres.Schema schema = TestPostgres.newSchema();

    private static final HikariDataSource dataSource = schema.dataSource(2);

    private static final JdbcTemplate jdbc = new JdbcTemplate(dataSource);

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
    void exceptionAnsweredWithAClientErrorFailsTheSaga() throws Exception {
        assertThat(post("/declined").statusCode()).isEqualTo(402);
        assertCompensated();
    }

    @Test
    void exceptionAnsweredWithSuccessFailsTheSaga() throws Exception {
        assertThat(post("/handled").statusCode()).isEqualTo(200);
        assertCompensated();
    }

    @Test
    void handlerThatReturnsCompletesItsSaga() throws Exception {
        assertThat(post("/ok").statusCode()).isEqualTo(200);
        assertThat(SagaCompensationTest.stateOf(jdbc, lastSaga())).isEqualTo("COMPLETED");
    }

    private void assertCompensated() {
        String saga = lastSaga();
        assertThat(SagaCompensationTest.stateOf(jdbc, saga)).isEqualTo("COMPENSATED");
        assertThat(ledger.released(saga)).containsExactly("b", "a");
    }

    private HttpResponse<String> post(String path) throws Exception {
        return HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
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

        @PostMapping("/declined")
        String declined() {
            reserve();
            throw new ResponseStatusException(HttpStatus.PAYMENT_REQUIRED, "declined");
        }

        @PostMapping("/handled")
        String handled() {
            reserve();
            throw new HandledException();
        }

        @PostMapping("/ok")
        String ok() {
            reserve();
            return "ok";
        }

        @ExceptionHandler(HandledException.class)
        @ResponseStatus(HttpStatus.OK)
        String answer() {
            return "answered";
        }

        private void reserve() {
            for (String step : List.of("a", "b")) {
                saga.step(step, () -> ledger.reserve(saga.id(), step), DurableCompensation.of("release", step));
            }
        }

    }

    static class HandledException extends RuntimeException {

    }

}
