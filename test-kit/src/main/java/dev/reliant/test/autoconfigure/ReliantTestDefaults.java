package dev.reliant.test.autoconfigure;

import org.springframework.core.env.PropertySource;

/**
 * The lowest-precedence properties of a {@code @ReliantTest}. Not enumerable, so the environment asks it only for
 * properties no other source has: the embedded database is created only when the test configured none.
 */
final class ReliantTestDefaults extends PropertySource<Object> {

    static final String NAME = "reliantTestDefaults";

    private volatile String databaseUrl;

    ReliantTestDefaults() {
        super(NAME, new Object());
    }

    @Override
    public Object getProperty(String name) {
        return switch (name) {
            case "reliant.idempotency.store" -> "memory";
            case "reliant.outbox.publisher" -> "in-process";
            case "spring.datasource.url" -> databaseUrl();
            default -> null;
        };
    }

    private String databaseUrl() {
        if (databaseUrl == null) {
            synchronized (this) {
                if (databaseUrl == null) {
                    databaseUrl = EmbeddedDatabases.newDatabase();
                }
            }
        }
        return databaseUrl;
    }

}
