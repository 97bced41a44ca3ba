package dev.reliant.benchmarks.saga;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.dbos.transact.DBOS;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.database.SystemDatabase;
import dev.reliant.benchmarks.support.Cost;
import dev.reliant.benchmarks.support.CountingDataSource;
import dev.reliant.benchmarks.support.Excluded;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;
import dev.reliant.saga.DurableCompensation;
import dev.reliant.saga.SagaManager;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The cost of a durable saga: three calls to a participant that inserts one row each, made directly, as the three
 * steps of a Reliant saga with durable compensations, and as the three steps of a DBOS Transact workflow, interleaved
 * one after the other on one thread so that all three see the same machine; then Reliant sagas of 1, 3 and 10
 * steps, each beside as many plain calls. Also the statements and commits each run sends, counted by wrappers around
 * the application's {@code DataSource} and DBOS's.
 */
public final class SagaBenchmark {

    private static final List<String> STEPS = List.of("reserve-stock", "charge-card", "book-shipment");

    private static final List<Integer> SCALE = List.of(1, 3, 10);

    private SagaBenchmark() {
    }

    public static void run(Options options) {
        Thread benchmark = Thread.currentThread();
        // Reliant's lease renewal and recovery worker and DBOS's queue and schedule pollers run on threads of their
        // own and cost per second, not per run; a DBOS workflow runs on DBOS's executor, inside its workflow context
        BooleanSupplier perRun = () -> Thread.currentThread() == benchmark || DBOS.inWorkflow();
        CountingDataSource application = new CountingDataSource(perRun);
        CountingDataSource dbos = new CountingDataSource(perRun);
        try (Servers.Schema schema = Servers.newSchema("saga"); Servers.Schema dbosSchema = Servers.newSchema("dbos")) {
            List<String> properties = new ArrayList<>(schema.springProperties(4));
            properties.addAll(List.of("spring.main.banner-mode=off", "logging.level.root=WARN",
                    Excluded.property(Excluded.IDEMPOTENCY, Excluded.OUTBOX, Excluded.MODULITH, Excluded.NAMASTACK, Excluded.RABBIT, Excluded.KAFKA)));
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SagaBenchmarkApplication.class)
                .web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new))
                .initializers(initializing -> initializing.getBeanFactory().addBeanPostProcessor(application))
                .run()) {
                context.getBean(JdbcTemplate.class).execute(Reservations.SCHEMA);
                compare(context, application, dbos, dbosSchema, options);
                scale(context, application, options);
            }
        }
    }

    private static void compare(ConfigurableApplicationContext context, CountingDataSource application,
            CountingDataSource dbosCounting, Servers.Schema dbosSchema, Options options) {
        int warmup = options.pick(2_000, 50);
        int measured = options.pick(10_000, 100);
        SagaManager sagas = context.getBean(SagaManager.class);
        Reservations reservations = context.getBean(Reservations.class);
        // the pool DBOS builds itself from a URL, handed to it as a DataSource so that it can be counted
        try (HikariDataSource pool = SystemDatabase.createDataSource(Servers.postgresUrl(), Servers.postgresUser(),
                Servers.postgresPassword());
                DBOS dbos = new DBOS(DBOSConfig.defaults("reliant-saga-benchmark")
                    .withDataSource((DataSource) dbosCounting.postProcessAfterInitialization(pool, "dbosDataSource"))
                    .withDatabaseSchema(dbosSchema.name()))) {
            OrderWorkflow orders = dbos.registerProxy(OrderWorkflow.class,
                    new DbosOrderWorkflow(dbos, reservations, STEPS));
            dbos.launch();
            LongSupplier statements = () -> application.statements() + dbosCounting.statements();
            LongSupplier commits = () -> application.commits() + dbosCounting.commits();
            Cost plain = new Cost(statements, commits);
            Cost reliant = new Cost(statements, commits);
            Cost workflow = new Cost(statements, commits);
            Map<String, Long> applicationBefore = Map.of();
            Map<String, Long> dbosBefore = Map.of();
            for (int i = 0; i < warmup + measured; i++) {
                boolean record = i >= warmup;
                if (i == warmup) {
                    applicationBefore = application.bySql();
                    dbosBefore = dbosCounting.bySql();
                }
                String id = UUID.randomUUID().toString();
                plain.measure(record, () -> calls(reservations, id, STEPS));
                reliant.measure(record, () -> saga(sagas, reservations, STEPS));
                workflow.measure(record, orders::place);
            }
            Map<String, Long> applicationAfter = application.bySql();
            Map<String, Long> dbosAfter = dbosCounting.bySql();
            expect("completed Reliant sagas", warmup + measured, context.getBean(JdbcTemplate.class)
                .queryForObject("SELECT count(*) FROM reliant_saga WHERE state = 'COMPLETED'", Long.class));
            expect("successful DBOS workflows", warmup + measured, new JdbcTemplate(pool).queryForObject(
                    "SELECT count(*) FROM " + dbosSchema.name() + ".workflow_status WHERE status = 'SUCCESS'",
                    Long.class));
            int steps = STEPS.size();
            new Table("run", "p50 ms", "p99 ms", "statements per run", "commits per run")
                .row("3 calls, no saga", plain.millis(50), plain.millis(99), plain.perOperation(0),
                        plain.perOperation(1))
                .row("Reliant: 3-step durable saga", reliant.millis(50), reliant.millis(99), reliant.perOperation(0),
                        reliant.perOperation(1))
                .row("DBOS: 3-step workflow", workflow.millis(50), workflow.millis(99), workflow.perOperation(0),
                        workflow.perOperation(1))
                .row(added("Reliant: added by the saga", reliant, plain, 1))
                .row(added("Reliant: added per step", reliant, plain, steps))
                .row(added("DBOS: added by the workflow", workflow, plain, 1))
                .row(added("DBOS: added per step", workflow, plain, steps))
                .print(String.format("Saga overhead: %d runs of each after %d warm-up, interleaved on one thread;"
                        + " statements and commits counted by wrappers around the application's DataSource and"
                        + " DBOS's, on the calling thread and DBOS's workflow thread%s", measured, warmup,
                        options.smoke() ? " (smoke)" : ""));
            printStatements("Statements sent per iteration through the application's DataSource (3 plain calls,"
                    + " one Reliant saga, the 3 participant calls of one DBOS workflow)", applicationBefore,
                    applicationAfter, measured);
            printStatements("Statements sent per iteration through DBOS's DataSource (one DBOS workflow)", dbosBefore,
                    dbosAfter, measured);
        }
    }

    private static void scale(ConfigurableApplicationContext context, CountingDataSource application,
            Options options) {
        int warmup = options.pick(1_000, 20);
        int measured = options.pick(5_000, 50);
        SagaManager sagas = context.getBean(SagaManager.class);
        Reservations reservations = context.getBean(Reservations.class);
        Table table = new Table("steps", "plain p50 ms", "plain p99 ms", "saga p50 ms", "saga p99 ms", "added p50 ms",
                "added p99 ms", "statements per step", "added statements per step", "added commits per step");
        for (int size : SCALE) {
            List<String> steps = IntStream.rangeClosed(1, size).mapToObj(step -> "step-" + step).toList();
            Cost plain = new Cost(application::statements, application::commits);
            Cost saga = new Cost(application::statements, application::commits);
            for (int i = 0; i < warmup + measured; i++) {
                boolean record = i >= warmup;
                String id = UUID.randomUUID().toString();
                plain.measure(record, () -> calls(reservations, id, steps));
                saga.measure(record, () -> saga(sagas, reservations, steps));
            }
            table.row(size, plain.millis(50), plain.millis(99), saga.millis(50), saga.millis(99),
                    saga.millis(50) - plain.millis(50), saga.millis(99) - plain.millis(99),
                    saga.perOperation(0) / size, (saga.perOperation(0) - plain.perOperation(0)) / size,
                    (saga.perOperation(1) - plain.perOperation(1)) / size);
        }
        table.print(String.format("Reliant saga by size: %d sagas per size after %d warm-up, each beside as many plain"
                + " calls, one thread%s", measured, warmup, options.smoke() ? " (smoke)" : ""));
    }

    private static void calls(Reservations reservations, String id, List<String> steps) {
        for (String step : steps) {
            reservations.reserve(id, step);
        }
    }

    private static void saga(SagaManager sagas, Reservations reservations, List<String> steps) {
        sagas.run("order", s -> {
            for (String step : steps) {
                s.step(step, () -> reservations.reserve(s.id(), step), DurableCompensation.of("release", step));
            }
        });
    }

    private static Object[] added(String label, Cost run, Cost plain, int steps) {
        return new Object[] { label, (run.millis(50) - plain.millis(50)) / steps,
                (run.millis(99) - plain.millis(99)) / steps, (run.perOperation(0) - plain.perOperation(0)) / steps,
                (run.perOperation(1) - plain.perOperation(1)) / steps };
    }

    private static void expect(String what, long expected, long found) {
        if (found != expected) {
            throw new IllegalStateException("Expected " + expected + " " + what + ", found " + found);
        }
    }

    private static void printStatements(String title, Map<String, Long> before, Map<String, Long> after,
            int measured) {
        Table statements = new Table("executions per iteration", "SQL");
        after.forEach((sql, count) -> {
            long delta = count - before.getOrDefault(sql, 0L);
            if (delta > 0) {
                statements.row((double) delta / measured, sql.length() > 160 ? sql.substring(0, 160) + "…" : sql);
            }
        });
        statements.print(title);
    }

}
