package dev.reliant.idempotency.app;

import javax.sql.DataSource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The business writes of {@link LedgerController}: one row in {@code ledger} per call, in a {@code REQUIRED}
 * transaction as ordinary application code would. The {@value #HALT_HEADER} header halts the process at a named
 * point of that transaction's life, as a power cut would.
 */
@Service
public class Ledger {

    /** {@code before-commit} or {@code after-commit}. */
    public static final String HALT_HEADER = "X-Halt";

    /** Runs as a ledger transaction is about to commit, in this JVM; for tests that stall a request there. */
    public static volatile Runnable beforeCommit = () -> {
    };

    /** Runs right after a ledger transaction committed, in this JVM; for tests that cut the store there. */
    public static volatile Runnable afterCommit = () -> {
    };

    private final ObjectProvider<DataSource> dataSource;

    Ledger(ObjectProvider<DataSource> dataSource) {
        this.dataSource = dataSource;
    }

    @Transactional
    public long add(String ref, int amount, String halt) {
        Long id = JdbcClient.create(dataSource.getObject())
            .sql("INSERT INTO ledger (ref, amount) VALUES (?, ?) RETURNING id")
            .params(ref, amount)
            .query(Long.class)
            .single();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

            @Override
            public void beforeCommit(boolean readOnly) {
                if ("before-commit".equals(halt)) {
                    Runtime.getRuntime().halt(137);
                }
                beforeCommit.run();
            }

            @Override
            public void afterCommit() {
                if ("after-commit".equals(halt)) {
                    Runtime.getRuntime().halt(137);
                }
                afterCommit.run();
            }

        });
        return id;
    }

    /** Creates the ledger table in the schema of {@code dataSource}. */
    public static void createTable(DataSource dataSource) {
        JdbcClient.create(dataSource)
            .sql("CREATE TABLE IF NOT EXISTS ledger (id BIGSERIAL PRIMARY KEY, ref VARCHAR(200) NOT NULL, "
                    + "amount INT NOT NULL)")
            .update();
    }

    /** How many rows carry {@code ref}. */
    public static int count(DataSource dataSource, String ref) {
        return JdbcClient.create(dataSource)
            .sql("SELECT count(*) FROM ledger WHERE ref = ?")
            .param(ref)
            .query(Integer.class)
            .single();
    }
}
