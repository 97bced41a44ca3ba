package dev.reliant.outbox.schema;

import java.util.Set;

import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDatabaseInitializerDetector;

/**
 * Makes the outbox migrations a database initializer in Spring Boot's ordering: they run after the application's
 * own Flyway or Liquibase migrations (which might otherwise refuse a schema that is no longer empty), and beans
 * that depend on database initialization wait for them.
 */
class OutboxSchemaInitializerDetector extends AbstractBeansOfTypeDatabaseInitializerDetector {

    @Override
    protected Set<Class<?>> getDatabaseInitializerBeanTypes() {
        return Set.of(OutboxSchemaInitializer.class);
    }

    @Override
    public int getOrder() {
        return 10;
    }
}
