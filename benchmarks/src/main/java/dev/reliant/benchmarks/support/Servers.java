package dev.reliant.benchmarks.support;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The servers every benchmark runs against, by default this machine's PostgreSQL, Redis and RabbitMQ on loopback;
 * {@code RELIANT_BENCH_POSTGRES_URL}, {@code RELIANT_BENCH_POSTGRES_USER}, {@code RELIANT_BENCH_POSTGRES_PASSWORD},
 * {@code RELIANT_BENCH_REDIS_URL} and {@code RELIANT_BENCH_RABBIT_URL} point them elsewhere.
 */
public final class Servers {

    private Servers() {
    }

    public static String postgresUrl() {
        return env("RELIANT_BENCH_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    public static String postgresUser() {
        return env("RELIANT_BENCH_POSTGRES_USER", "postgres");
    }

    public static String postgresPassword() {
        return env("RELIANT_BENCH_POSTGRES_PASSWORD", "");
    }

    public static URI redis() {
        return URI.create(env("RELIANT_BENCH_REDIS_URL", "redis://127.0.0.1:6379"));
    }

    public static URI rabbit() {
        return URI.create(env("RELIANT_BENCH_RABBIT_URL", "amqp://guest:guest@127.0.0.1:5672"));
    }

    /** Spring properties that point Redis auto-configuration at {@link #redis()}. */
    public static List<String> redisProperties() {
        URI redis = redis();
        return List.of("spring.data.redis.host=" + redis.getHost(), "spring.data.redis.port=" + redis.getPort());
    }

    /** Spring properties that point RabbitMQ auto-configuration at {@link #rabbit()}. */
    public static List<String> rabbitProperties() {
        URI rabbit = rabbit();
        String[] user = rabbit.getUserInfo() == null ? new String[] { "guest", "guest" }
                : rabbit.getUserInfo().split(":", 2);
        return List.of("spring.rabbitmq.host=" + rabbit.getHost(), "spring.rabbitmq.port=" + rabbit.getPort(),
                "spring.rabbitmq.username=" + user[0], "spring.rabbitmq.password=" + user[1]);
    }

    /** A fresh Redis key prefix, so that a run never sees an earlier run's keys. */
    public static String newRedisKeyPrefix() {
        return "bench:" + UUID.randomUUID() + ":";
    }

    /** A fresh schema, so that a run never sees an earlier run's rows; dropped on close. */
    public static Schema newSchema(String purpose) {
        String name = "bench_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8);
        try (HikariDataSource admin = dataSource(postgresUrl(), 1)) {
            new JdbcTemplate(admin).execute("CREATE SCHEMA " + name);
        }
        return new Schema(name);
    }

    static HikariDataSource dataSource(String url, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(postgresUser());
        config.setPassword(postgresPassword());
        config.setMaximumPoolSize(poolSize);
        return new HikariDataSource(config);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** A schema of its own on the benchmark PostgreSQL. */
    public static final class Schema implements AutoCloseable {

        private final String name;

        private Schema(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public String jdbcUrl() {
            return postgresUrl() + (postgresUrl().contains("?") ? "&" : "?") + "currentSchema=" + name;
        }

        /** Spring properties for a DataSource in this schema with the given pool size. */
        public List<String> springProperties(int poolSize) {
            List<String> all = new ArrayList<>();
            all.add("spring.datasource.url=" + jdbcUrl());
            all.add("spring.datasource.username=" + postgresUser());
            all.add("spring.datasource.password=" + postgresPassword());
            all.add("spring.datasource.hikari.maximum-pool-size=" + poolSize);
            all.add("spring.flyway.enabled=false");
            return all;
        }

        public HikariDataSource dataSource(int poolSize) {
            return Servers.dataSource(jdbcUrl(), poolSize);
        }

        @Override
        public void close() {
            try (HikariDataSource admin = Servers.dataSource(postgresUrl(), 1)) {
                new JdbcTemplate(admin).execute("DROP SCHEMA " + name + " CASCADE");
            }
        }

    }

}
