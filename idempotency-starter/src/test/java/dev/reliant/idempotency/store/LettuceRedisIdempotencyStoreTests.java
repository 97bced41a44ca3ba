package dev.reliant.idempotency.store;

import java.util.UUID;

import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.redis.LettuceStoreClient;
import dev.reliant.idempotency.redis.RedisStoreClient;
import dev.reliant.testsupport.TestRedis;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

class LettuceRedisIdempotencyStoreTests extends RedisIdempotencyStoreTests {

    @Override
    RedisConnectionFactory connectionFactory(TestRedis.Server redis) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(redis.host(), redis.port()));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    @Override
    RedisStoreClient client(RedisConnectionFactory connectionFactory) {
        return new LettuceStoreClient((LettuceConnectionFactory) connectionFactory);
    }

    /**
     * The store keeps the factory's shared connection between calls; a factory reset closes it, and the next call
     * must go out on the new one instead of failing on the closed one.
     */
    @Test
    void callsGoOnAfterTheFactoryResetItsSharedConnection() {
        String key = "reset:" + UUID.randomUUID();
        String owner = owner();
        assertThat(store.claim(key, owner, FINGERPRINT, LEASE, RETENTION).join()).isEqualTo(ClaimResult.claimed());

        ((LettuceConnectionFactory) connectionFactory).resetConnection();

        assertThat(store.renew(key, owner, LEASE).join()).isTrue();
        assertThat(store.release(key, owner).join()).isTrue();
    }
}
