package dev.reliant.saga;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A saga run inside a Hibernate transaction ({@link JpaTransactionManager} on the saga log's {@code DataSource}) ends
 * with it, as it does in a plain JDBC one: the entity persisted beside it (inserted only at the deferred flush) and
 * the saga's end commit or roll back together.
 */
class SagaJpaTest {

    @RegisterExtension
    static final LedgerDatabase database = new LedgerDatabase();

    private final ApplicationContextRunner runner = SagaTestContexts.runner(database.schema())
        .withConfiguration(AutoConfigurations.of(HibernateJpaAutoConfiguration.class))
        .withUserConfiguration(Entities.class)
        .withPropertyValues("spring.jpa.hibernate.ddl-auto=update");

    @Test
    void sagaAndEntityCommitTogether() {
        runner.run(context -> {
            assertThat(context.getBean(PlatformTransactionManager.class)).isInstanceOf(JpaTransactionManager.class);
            String business = "shipment-" + UUID.randomUUID();
            AtomicReference<String> id = new AtomicReference<>();
            transactions(context).executeWithoutResult(status -> {
                entityManager(context).persist(new Shipment(business));
                context.getBean(SagaManager.class).run("ship", saga -> {
                    id.set(saga.id());
                    saga.step("s1", () -> "done", DurableCompensation.of("release", "s1"));
                });
            });
            assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPLETED");
            assertThat(shipments(context, business)).isOne();
        });
    }

    @Test
    void sagaWhoseHibernateTransactionRollsBackIsCompensatedAndItsEntityIsGone() {
        runner.run(context -> {
            String business = "shipment-" + UUID.randomUUID();
            AtomicReference<String> id = new AtomicReference<>();
            transactions(context).executeWithoutResult(status -> {
                entityManager(context).persist(new Shipment(business));
                context.getBean(SagaManager.class).run("ship", saga -> {
                    id.set(saga.id());
                    saga.step("s1", () -> "done", DurableCompensation.of("release", "s1"));
                });
                status.setRollbackOnly();
            });
            assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");
            assertThat(context.getBean(Ledger.class).released(id.get())).containsExactly("s1");
            assertThat(shipments(context, business)).isZero();
        });
    }

    @Test
    void failedSagaRollsTheHibernateTransactionBack() {
        runner.run(context -> {
            String business = "shipment-" + UUID.randomUUID();
            AtomicReference<String> id = new AtomicReference<>();
            assertThatExceptionOfType(UnexpectedRollbackException.class)
                .isThrownBy(() -> transactions(context).executeWithoutResult(status -> {
                    entityManager(context).persist(new Shipment(business));
                    try {
                        context.getBean(SagaManager.class).run("ship", saga -> {
                            id.set(saga.id());
                            saga.step("s1", () -> "done", DurableCompensation.of("release", "s1"));
                            throw new IllegalStateException("declined");
                        });
                    }
                    catch (IllegalStateException handled) {
                        // swallowed by the caller: the transaction must roll back all the same
                    }
                    assertThat(status.isRollbackOnly()).as("what the idempotency filter reads before committing")
                        .isTrue();
                }));
            assertThat(shipments(context, business)).isZero();
            assertThat(SagaCompensationTest.stateOf(database.jdbc(), id.get())).isEqualTo("COMPENSATED");
        });
    }

    private static EntityManager entityManager(ApplicationContext context) {
        return SharedEntityManagerCreator.createSharedEntityManager(context.getBean(EntityManagerFactory.class));
    }

    private static TransactionTemplate transactions(ApplicationContext context) {
        return new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
    }

    private static int shipments(ApplicationContext context, String business) {
        return context.getBean(JdbcTemplate.class)
            .queryForObject("SELECT count(*) FROM shipment WHERE business = ?", Integer.class, business);
    }

    @Configuration(proxyBeanMethods = false)
    @EntityScan(basePackageClasses = Shipment.class)
    static class Entities {

    }
}
