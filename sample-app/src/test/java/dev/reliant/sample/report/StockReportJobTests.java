package dev.reliant.sample.report;

import java.util.List;

import dev.reliant.sample.SampleApplication;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scheduled stock report runs under its lock with its writes fenced: when another holder has written with a
 * higher token, the next report is refused and rolled back, the refusal lifts the token counter past the fence,
 * and the report after it lands with a token above the other holder's.
 */
class StockReportJobTests {

    @Test
    void reportsRunUnderTheLockAndAStaleTokenIsRefused() {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        TestRedis.Server redis = TestRedis.server();
        String[] args = { "--server.port=0", "--sample.report.initial-delay=0s", "--sample.report.interval=200ms",
                "--spring.datasource.url=" + schema.jdbcUrl(), "--spring.datasource.username=" + schema.username(),
                "--spring.datasource.password=" + schema.password(), "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port(),
                "--reliant.idempotency.redis.key-prefix=" + TestRedis.newKeyPrefix(),
                "--reliant.lock.redis.key-prefix=" + TestRedis.newKeyPrefix() };
        try (ConfigurableApplicationContext app = SpringApplication.run(SampleApplication.class, args)) {
            JdbcClient jdbc = app.getBean(JdbcClient.class);
            await().until(() -> reports(jdbc).size() >= 2);
            List<Long> tokens = reports(jdbc);
            assertThat(tokens).isSorted().doesNotHaveDuplicates();
            await().until(() -> fence(jdbc) >= tokens.get(tokens.size() - 1));

            // another holder writes with a token far ahead of the counter
            long elsewhere = jdbc.sql("UPDATE reliant_lock_fence SET token = token + 1000, holder = 'another-instance'"
                    + " WHERE resource = 'stock-report' RETURNING token").query(Long.class).single();
            await().until(() -> reports(jdbc).stream().anyMatch(token -> token > elsewhere));
            assertThat(reports(jdbc)).isSorted()
                .as("reports whose token was below the other holder's were refused")
                .noneMatch(token -> token > elsewhere - 1000 && token <= elsewhere);
        }
    }

    private static List<Long> reports(JdbcClient jdbc) {
        return jdbc.sql("SELECT lock_token FROM stock_report ORDER BY id").query(Long.class).list();
    }

    private static long fence(JdbcClient jdbc) {
        return jdbc.sql("SELECT coalesce(max(token), 0) FROM reliant_lock_fence WHERE resource = 'stock-report'")
            .query(Long.class)
            .single();
    }

}
