package dev.reliant.saga;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.saga.autoconfigure.SagaWebAutoConfiguration;
import dev.reliant.testsupport.TestPostgres;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The request-scoped saga of Spring MVC requests, ended by the saga filter. */
class RequestSagaTest {

    private static TestPostgres.Schema schema;

    private static HikariDataSource dataSource;

    private static JdbcTemplate jdbc;

    private static final List<String> events = new CopyOnWriteArrayList<>();

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
        .withConfiguration(SagaTestContexts.JDBC)
        .withConfiguration(SagaTestContexts.SAGA)
        .withConfiguration(AutoConfigurations.of(SagaWebAutoConfiguration.class))
        .withUserConfiguration(WebConfiguration.class)
        .withPropertyValues(schema.springProperties())
        .withPropertyValues("reliant.saga.recovery.interval=1h", "reliant.saga.compensation.initial-backoff=10ms");

    @BeforeAll
    static void createSchema() {
        schema = TestPostgres.newSchema();
        dataSource = schema.dataSource();
        jdbc = new JdbcTemplate(dataSource);
        Ledger.createTables(jdbc);
        jdbc.execute("CREATE TABLE orders (id VARCHAR(64) PRIMARY KEY)");
        jdbc.execute("CREATE TABLE cancellations (order_id VARCHAR(64) PRIMARY KEY, order_visible BIGINT NOT NULL,"
                + " in_transaction BOOLEAN NOT NULL)");
    }

    @AfterAll
    static void dropSchema() {
        schema.drop(dataSource);
        dataSource.close();
    }

    @Test
    void successfulRequestClosesItsSaga() {
        runner.run(context -> {
            mvc(context).perform(post("/orders/ok")).andExpect(status().isOk());
            String id = lastSaga();
            assertThat(SagaCompensationTest.stateOf(jdbc, id)).isEqualTo("COMPLETED");
            assertThat(jdbc.queryForObject("SELECT name FROM reliant_saga WHERE id = ?::uuid", String.class, id))
                .isEqualTo("POST /orders/{outcome}");
            assertThat(reserved(id)).containsExactly("a", "b");
        });
    }

    @Test
    void requestWhoseHandlerThrowsIsCompensatedAndStillFails() {
        runner.run(context -> {
            assertThatThrownBy(() -> mvc(context).perform(post("/orders/throw")))
                .hasRootCauseMessage("handler failed");
            String id = lastSaga();
            assertThat(SagaCompensationTest.stateOf(jdbc, id)).isEqualTo("COMPENSATED");
            assertThat(released(id)).containsExactly("b", "a");
            assertThat(reserved(id)).isEmpty();
        });
    }

    @Test
    void failureStatusIsCompensatedBeforeAnyByteReachesTheClient() {
        runner.run(context -> {
            events.clear();
            mvc(context).perform(post("/orders/unavailable"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(content().string("try later"));
            String id = lastSaga();
            assertThat(SagaCompensationTest.stateOf(jdbc, id)).isEqualTo("COMPENSATED");
            // the handler flushed its body, yet the client saw it only after the compensations
            assertThat(events).containsExactly("released b", "released a", "response written");
        });
    }

    @Test
    void clientErrorIsNotAFailureByDefault() {
        runner.run(context -> {
            mvc(context).perform(post("/orders/conflict")).andExpect(status().isConflict());
            assertThat(SagaCompensationTest.stateOf(jdbc, lastSaga())).isEqualTo("COMPLETED");
        });
    }

    @Test
    void configuredClientErrorFailsTheSaga() {
        runner.withPropertyValues("reliant.saga.web.failure-statuses=5xx,409").run(context -> {
            mvc(context).perform(post("/orders/conflict")).andExpect(status().isConflict());
            String id = lastSaga();
            assertThat(SagaCompensationTest.stateOf(jdbc, id)).isEqualTo("COMPENSATED");
            assertThat(released(id)).containsExactly("b", "a");
        });
    }

    @Test
    void requestWithoutStepsLeavesNoSaga() {
        runner.run(context -> {
            long before = jdbc.queryForObject("SELECT count(*) FROM reliant_saga", Long.class);
            mvc(context).perform(post("/orders/none")).andExpect(status().isOk());
            assertThat(jdbc.queryForObject("SELECT count(*) FROM reliant_saga", Long.class)).isEqualTo(before);
        });
    }

    @Test
    void stepInsideTheRequestTransactionIsCompensatedAfterTheRollbackOutsideIt() {
        runner.run(context -> {
            assertThatThrownBy(() -> mvc(context).perform(post("/transactional-orders/o-1")))
                .hasRootCauseMessage("stock check failed");
            assertThat(jdbc.queryForObject("SELECT count(*) FROM orders WHERE id = 'o-1'", Long.class)).isZero();
            assertThat(jdbc.queryForMap("SELECT order_visible, in_transaction FROM cancellations"
                    + " WHERE order_id = 'o-1'"))
                .containsEntry("order_visible", 0L)
                .containsEntry("in_transaction", true);
            assertThat(SagaCompensationTest.stateOf(jdbc, lastSaga())).isEqualTo("COMPENSATED");
        });
    }

    private static MockMvc mvc(WebApplicationContext context) {
        Filter sagaFilter = context.getBean(FilterRegistrationBean.class).getFilter();
        return MockMvcBuilders.webAppContextSetup(context).addFilters(new ClientFilter(), sagaFilter).build();
    }

    private static String lastSaga() {
        return jdbc.queryForObject("SELECT id::text FROM reliant_saga ORDER BY created_at DESC LIMIT 1",
                String.class);
    }

    private static List<String> released(String sagaId) {
        return jdbc.queryForList("SELECT step FROM releases WHERE saga_id = ? ORDER BY seq", String.class, sagaId);
    }

    private static List<String> reserved(String sagaId) {
        return jdbc.queryForList("SELECT step FROM reservations WHERE saga_id = ? ORDER BY step", String.class,
                sagaId);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableWebMvc
    static class WebConfiguration {

        @Bean
        OrderController orderController(Saga saga, Ledger ledger, OrderService orders) {
            return new OrderController(saga, ledger, orders);
        }

        @Bean
        OrderService orderService(Saga saga, JdbcTemplate jdbc) {
            return new OrderService(saga, jdbc);
        }

        @Bean
        Ledger ledger(JdbcTemplate jdbc) {
            return new Ledger(jdbc, (compensation, phase) -> {
                if (phase == Ledger.Phase.AFTER_COMMIT) {
                    events.add("released " + compensation.stepName());
                }
            });
        }

    }

    @RestController
    static class OrderController {

        private final Saga saga;

        private final Ledger ledger;

        private final OrderService orders;

        OrderController(Saga saga, Ledger ledger, OrderService orders) {
            this.saga = saga;
            this.ledger = ledger;
            this.orders = orders;
        }

        @PostMapping("/orders/{outcome}")
        ResponseEntity<String> order(@PathVariable String outcome, HttpServletResponse response) throws IOException {
            if (outcome.equals("none")) {
                return ResponseEntity.ok("nothing to do");
            }
            for (String step : List.of("a", "b")) {
                saga.step(step, () -> ledger.reserve(saga.id(), step), DurableCompensation.of("release", step));
            }
            return switch (outcome) {
                case "throw" -> throw new IllegalStateException("handler failed");
                case "unavailable" -> {
                    response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
                    response.getWriter().write("try later");
                    response.flushBuffer();
                    yield null;
                }
                case "conflict" -> ResponseEntity.status(HttpStatus.CONFLICT).body("conflict");
                default -> ResponseEntity.ok("ordered");
            };
        }

        @PostMapping("/transactional-orders/{id}")
        String transactionalOrder(@PathVariable String id) {
            orders.place(id);
            return "placed";
        }

    }

    static class OrderService {

        private final Saga saga;

        private final JdbcTemplate jdbc;

        OrderService(Saga saga, JdbcTemplate jdbc) {
            this.saga = saga;
            this.jdbc = jdbc;
        }

        @Transactional
        public void place(String id) {
            jdbc.update("INSERT INTO orders (id) VALUES (?)", id);
            saga.step("notify", () -> id, DurableCompensation.of("cancel-order", id));
            throw new IllegalStateException("stock check failed");
        }

        @Compensation("cancel-order")
        public void cancel(String id) {
            Long visible = jdbc.queryForObject("SELECT count(*) FROM orders WHERE id = ?", Long.class, id);
            jdbc.update("INSERT INTO cancellations (order_id, order_visible, in_transaction) VALUES (?, ?, ?)", id,
                    visible, TransactionSynchronizationManager.isActualTransactionActive());
        }

    }

    /** Stands for the client: notes when the first byte of the response leaves the server. */
    static class ClientFilter extends OncePerRequestFilter {

        @Override
        protected void doFilterInternal(jakarta.servlet.http.HttpServletRequest request,
                HttpServletResponse response, jakarta.servlet.FilterChain chain)
                throws jakarta.servlet.ServletException, IOException {
            chain.doFilter(request, new HttpServletResponseWrapper(response) {

                @Override
                public ServletOutputStream getOutputStream() throws IOException {
                    ServletOutputStream out = super.getOutputStream();
                    return new ServletOutputStream() {

                        @Override
                        public void write(int b) throws IOException {
                            written();
                            out.write(b);
                        }

                        @Override
                        public void write(byte[] bytes, int offset, int length) throws IOException {
                            written();
                            out.write(bytes, offset, length);
                        }

                        @Override
                        public boolean isReady() {
                            return out.isReady();
                        }

                        @Override
                        public void setWriteListener(WriteListener listener) {
                            out.setWriteListener(listener);
                        }

                    };
                }

                @Override
                public void flushBuffer() throws IOException {
                    written();
                    super.flushBuffer();
                }

                private void written() {
                    if (!events.contains("response written")) {
                        events.add("response written");
                    }
                }

            });
        }

    }

}
