package dev.reliant.lock;

import java.util.ArrayList;
import java.util.List;

import dev.reliant.lock.autoconfigure.LockActuatorAutoConfiguration;
import dev.reliant.lock.autoconfigure.LockAutoConfiguration;
import dev.reliant.testsupport.TestPostgres;
import dev.reliant.testsupport.TestRedis;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** Application contexts with the lock starter on the test servers, as Spring Boot would configure them. */
public final class LockTestContexts {

    private LockTestContexts() {
    }

    /**
     * A running application (no web server) with {@link Infrastructure} and {@code sources}, for tests that need
     * several at once; close it when done.
     */
    public static ConfigurableApplicationContext start(List<Class<?>> sources, List<Object> singletons,
            String... properties) {
        List<Class<?>> all = new ArrayList<>(sources);
        all.add(Infrastructure.class);
        return new SpringApplicationBuilder(all.toArray(Class<?>[]::new)).web(WebApplicationType.NONE)
            .properties(properties)
            .initializers(context -> singletons.forEach(singleton -> context.getBeanFactory()
                .registerSingleton(singleton.getClass().getName() + "#" + System.identityHashCode(singleton),
                        singleton)))
            .run();
    }

    /** The auto-configuration of a child or test application: the servers, transactions and the lock starter. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
            TransactionAutoConfiguration.class, TransactionManagerCustomizationAutoConfiguration.class,
            JdbcTemplateAutoConfiguration.class, DataRedisAutoConfiguration.class, TaskSchedulingAutoConfiguration.class,
            LockAutoConfiguration.class })
    public static class Infrastructure {

    }

    /** Redis, a DataSource in {@code schema}, transactions and the lock starter with its Actuator parts. */
    public static ApplicationContextRunner runner(TestPostgres.Schema schema) {
        return withoutRedisConnection(schema).withPropertyValues(TestRedis.server().springProperties());
    }

    /**
     * As {@link #runner(TestPostgres.Schema)}, but with Spring Data Redis on the class path and no Redis connection
     * configured, as in an application that brings it along without using it.
     */
    public static ApplicationContextRunner withoutRedisConnection(TestPostgres.Schema schema) {
        return new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
                    DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
                    TransactionManagerCustomizationAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
                    DataRedisAutoConfiguration.class, EndpointAutoConfiguration.class, LockAutoConfiguration.class,
                    LockActuatorAutoConfiguration.class))
            .withPropertyValues(schema.springProperties())
            .withPropertyValues("reliant.lock.redis.key-prefix=" + TestRedis.newKeyPrefix(),
                    "spring.datasource.hikari.maximum-pool-size=6");
    }

}
