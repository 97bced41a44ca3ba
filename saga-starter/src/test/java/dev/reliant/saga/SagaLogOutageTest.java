package dev.reliant.saga;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariDataSource;
import dev.reliant.saga.SagaCompensationTest.Payment;
import dev.reliant.saga.SagaCompensationTest.Receipt;
import dev.reliant.saga.SagaCompensationTest.Refunds;
import dev.reliant.testsupport.TcpProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.dao.DataAccessException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The database goes away between two durable steps of a saga, with the first step's result not written yet: it
 * was to go with the second step's intent. That step fails without running its action, and the result is written
 * with the start of compensation once the database is back.
 */
class SagaLogOutageTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();

    @Test
    void resultWhoseWriteFailedGoesWithTheStartOfCompensation() {
        String url = database.schema().jdbcUrl();
        URI server = URI.create(url.substring("jdbc:".length()));
        try (TcpProxy proxy = TcpProxy.start(server.getHost(), server.getPort())) {
            SagaTestContexts.runner(database.schema())
                .withBean(Refunds.class)
                .withPropertyValues(
                        "spring.datasource.url=" + url.replace("//" + server.getAuthority() + "/",
                                "//127.0.0.1:" + proxy.port() + "/"),
                        "spring.datasource.hikari.connection-timeout=2000")
                .run(context -> {
                    SagaManager sagas = context.getBean(SagaManager.class);
                    Refunds refunds = context.getBean(Refunds.class);
                    AtomicReference<String> id = new AtomicReference<>();
                    List<String> shipped = new CopyOnWriteArrayList<>();
                    assertThatThrownBy(() -> sagas.run("payment", saga -> {
                        id.set(saga.id());
                        saga.step("charge", () -> new Receipt("r-4", 500),
                                DurableCompensation.of("refund", new Payment("p-4", 500), List.of()));
                        proxy.cut();
                        try {
                            saga.step("ship", () -> shipped.add("ship"),
                                    DurableCompensation.of("refund", new Payment("p-5", 0), List.of()));
                        }
                        finally {
                            proxy.restore();
                            // the pooled connections died with the outage
                            context.getBean(HikariDataSource.class).getHikariPoolMXBean().softEvictConnections();
                        }
                    })).isInstanceOf(DataAccessException.class);
                    assertThat(shipped).isEmpty();
                    assertThat(refunds.calls)
                        .containsExactly("p-4 500 [] " + id.get() + ":charge Optional[Receipt[id=r-4, cents=500]]");
                    assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");
                    assertThat(database.jdbc().queryForList("SELECT name FROM reliant_saga_step WHERE saga_id = ?::uuid",
                            String.class, id.get())).containsExactly("charge");
                });
        }
    }

}
