package dev.reliant.idempotency.store;

import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.redis.JedisStoreClient;
import dev.reliant.idempotency.redis.RedisIdempotencyStore;
import dev.reliant.idempotency.redis.RedisStoreClient;
import dev.reliant.testsupport.TcpProxy;
import dev.reliant.testsupport.TestRedis;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JedisRedisIdempotencyStoreTests extends RedisIdempotencyStoreTests {

    private static final Duration READ_TIMEOUT = Duration.ofMillis(500);

    @Override
    RedisConnectionFactory connectionFactory(TestRedis.Server redis) {
        return jedis(redis.host(), redis.port(), 8);
    }

    @Override
    RedisStoreClient client(RedisConnectionFactory connectionFactory) {
        return new JedisStoreClient((JedisConnectionFactory) connectionFactory);
    }

    /**
     * A Redis that stops answering fails a call after the client's read timeout, and the call's connection, broken,
     * is not used again: once Redis answers, calls go on, each reading its own reply.
     */
    @Test
    void aHungRedisFailsACallAfterTheReadTimeoutAndCallsGoOnAfterwards() {
        TestRedis.Server redis = TestRedis.server();
        try (TcpProxy proxy = TcpProxy.start(redis.host(), redis.port())) {
            JedisConnectionFactory factory = jedis("127.0.0.1", proxy.port(), 1);
            try {
                RedisIdempotencyStore hung = new RedisIdempotencyStore(client(factory), prefix, Clock.systemUTC());
                String done = key();
                String owner = owner();
                hung.claim(done, owner, FINGERPRINT, LEASE, RETENTION).join();
                hung.complete(done, owner, FINGERPRINT, RecordState.COMPLETED,
                        new StoredResponse(201, List.of(), new byte[] { 7 }), RETENTION).join();

                proxy.blackhole();
                assertThatThrownBy(() -> hung.claim(key(), owner(), FINGERPRINT, LEASE, RETENTION).join())
                    .isInstanceOf(CompletionException.class)
                    .hasRootCauseInstanceOf(SocketTimeoutException.class);

                proxy.restore();
                assertThat(hung.find(done).join()).hasValueSatisfying(record -> {
                    assertThat(record.state()).isEqualTo(RecordState.COMPLETED);
                    assertThat(record.response().status()).isEqualTo(201);
                });
                assertThat(hung.claim(key(), owner(), FINGERPRINT, LEASE, RETENTION).join())
                    .isEqualTo(ClaimResult.claimed());
            }
            finally {
                factory.destroy();
            }
        }
    }

    @Test
    void aClusterIsRefusedWithAClearMessage() {
        JedisConnectionFactory cluster = new JedisConnectionFactory(
                new RedisClusterConfiguration(List.of("127.0.0.1:1")));
        assertThatThrownBy(() -> new JedisStoreClient(cluster)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("use Lettuce");
    }

    private static JedisConnectionFactory jedis(String host, int port, int connections) {
        GenericObjectPoolConfig<?> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(connections);
        JedisConnectionFactory factory = new JedisConnectionFactory(new RedisStandaloneConfiguration(host, port),
                JedisClientConfiguration.builder()
                    .readTimeout(READ_TIMEOUT)
                    .connectTimeout(READ_TIMEOUT)
                    .usePooling()
                    .poolConfig(pool)
                    .build());
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
