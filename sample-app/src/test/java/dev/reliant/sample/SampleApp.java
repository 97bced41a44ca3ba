package dev.reliant.sample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRabbit;
import dev.reliant.testsupport.TestRedis;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the sample in this JVM on a fresh schema of the test PostgreSQL, on the test Redis, and on RabbitMQ when
 * the test servers name one. The application gets command-line arguments, as a user would configure it, so that
 * its own environment post-processors see them.
 */
final class SampleApp {

    private SampleApp() {
    }

    static ConfigurableApplicationContext start(String... moreArguments) {
        TestPostgres.Schema schema = TestPostgres.newSchema();
        TestRedis.Server redis = TestRedis.server();
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.datasource.url=" + schema.jdbcUrl(),
                "--spring.datasource.username=" + schema.username(),
                "--spring.datasource.password=" + schema.password(), "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port(),
                "--reliant.idempotency.redis.key-prefix=" + TestRedis.newKeyPrefix()));
        if (TestRabbit.configured()) {
            TestRabbit.Server rabbit = TestRabbit.server();
            args.addAll(List.of("--spring.rabbitmq.host=" + rabbit.host(), "--spring.rabbitmq.port=" + rabbit.port(),
                    "--spring.rabbitmq.username=" + rabbit.username(),
                    "--spring.rabbitmq.password=" + rabbit.password()));
        }
        args.addAll(List.of(moreArguments));
        return SpringApplication.run(SampleApplication.class, args.toArray(String[]::new));
    }

    static int port(ConfigurableApplicationContext app) {
        return app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new IllegalStateException("No free port", ex);
        }
    }
}
