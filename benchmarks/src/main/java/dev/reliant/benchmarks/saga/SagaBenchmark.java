package dev.reliant.benchmarks.saga;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.reliant.benchmarks.support.CountingDataSource;
import dev.reliant.benchmarks.support.Excluded;
import dev.reliant.benchmarks.support.Options;
import dev.reliant.benchmarks.support.Servers;
import dev.reliant.benchmarks.support.Table;
import dev.reliant.saga.DurableCompensation;
import dev.reliant.saga.SagaManager;
import org.HdrHistogram.Histogram;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The cost of a durable saga: three calls to a participant that inserts one row each, made directly and made as
 * the three steps of a saga with durable compensations, interleaved one after the other on one thread so that both
 * see the same machine. Also the statements and commits the saga sends per step on the happy path, counted by a
 * wrapper around the application's {@code DataSource}.
 */
public final class SagaBenchmark {

    private static final List<String> STEPS = List.of("reserve-stock", "charge-card", "book-shipment");

    private SagaBenchmark() {
    }

    public static void run(Options options) {
        int warmup = options.pick(2_000, 100);
        int measured = options.pick(10_000, 200);
        try (Servers.Schema schema = Servers.newSchema("saga")) {
            List<String> properties = new ArrayList<>(schema.springProperties(4));
            properties.addAll(List.of("spring.main.banner-mode=off", "logging.level.root=WARN",
                    Excluded.property(Excluded.IDEMPOTENCY, Excluded.OUTBOX, Excluded.MODULITH, Excluded.NAMASTACK, Excluded.RABBIT, Excluded.KAFKA)));
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SagaBenchmarkApplication.class)
                .web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new))
                .run()) {
                context.getBean(JdbcTemplate.class).execute(Reservations.SCHEMA);
                measure(context, warmup, measured, options.smoke());
            }
        }
    }

    private static void measure(ConfigurableApplicationContext context, int warmup, int measured, boolean smoke) {
        SagaManager sagas = context.getBean(SagaManager.class);
        Reservations reservations = context.getBean(Reservations.class);
        CountingDataSource counting = context.getBean(CountingDataSource.class);
        Histogram plain = new Histogram(3);
        Histogram saga = new Histogram(3);
        long plainStatements = 0;
        long plainCommits = 0;
        long sagaStatements = 0;
        long sagaCommits = 0;
        Map<String, Long> sqlBefore = Map.of();
        for (int i = 0; i < warmup + measured; i++) {
            boolean record = i >= warmup;
            if (i == warmup) {
                sqlBefore = counting.bySql();
            }
            String id = UUID.randomUUID().toString();
            long statements = counting.statements();
            long commits = counting.commits();
            long start = System.nanoTime();
            for (String step : STEPS) {
                reservations.reserve(id, step);
            }
            long plainNanos = System.nanoTime() - start;
            long plainStatementsNow = counting.statements() - statements;
            long plainCommitsNow = counting.commits() - commits;
            statements = counting.statements();
            commits = counting.commits();
            start = System.nanoTime();
            sagas.run("order", s -> {
                for (String step : STEPS) {
                    s.step(step, () -> reservations.reserve(s.id(), step), DurableCompensation.of("release", step));
                }
            });
            long sagaNanos = System.nanoTime() - start;
            if (record) {
                plain.recordValue(plainNanos);
                saga.recordValue(sagaNanos);
                plainStatements += plainStatementsNow;
                plainCommits += plainCommitsNow;
                sagaStatements += counting.statements() - statements;
                sagaCommits += counting.commits() - commits;
            }
        }
        Map<String, Long> sqlAfter = counting.bySql();
        long completed = context.getBean(JdbcTemplate.class)
            .queryForObject("SELECT count(*) FROM reliant_saga WHERE state = 'COMPLETED'", Long.class);
        if (completed != warmup + measured) {
            throw new IllegalStateException("Expected " + (warmup + measured) + " completed sagas, found " + completed);
        }
        int steps = STEPS.size();
        double addedStatements = (double) (sagaStatements - plainStatements) / measured;
        double addedCommits = (double) (sagaCommits - plainCommits) / measured;
        new Table("run", "p50 ms", "p99 ms", "statements per run", "commits per run")
            .row("3 calls, no saga", ms(plain, 50), ms(plain, 99), (double) plainStatements / measured,
                    (double) plainCommits / measured)
            .row("3-step durable saga", ms(saga, 50), ms(saga, 99), (double) sagaStatements / measured,
                    (double) sagaCommits / measured)
            .row("added by the saga", ms(saga, 50) - ms(plain, 50), ms(saga, 99) - ms(plain, 99), addedStatements,
                    addedCommits)
            .row("added per step", (ms(saga, 50) - ms(plain, 50)) / steps, (ms(saga, 99) - ms(plain, 99)) / steps,
                    addedStatements / steps, addedCommits / steps)
            .print(String.format("Saga overhead: %d sagas of %d steps after %d warm-up, one thread%s", measured, steps,
                    warmup, smoke ? " (smoke)" : ""));
        Table statements = new Table("executions per saga run (both runs)", "SQL");
        Map<String, Long> before = sqlBefore;
        sqlAfter.forEach((sql, count) -> {
            long delta = count - before.getOrDefault(sql, 0L);
            if (delta > 0) {
                statements.row((double) delta / measured, sql.length() > 160 ? sql.substring(0, 160) + "…" : sql);
            }
        });
        statements.print("Statements sent per iteration (3 plain calls + one 3-step saga)");
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e6;
    }

}
