package example.shop;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reliant.saga.Compensation;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Reservations undone by a durable compensation, which can be told to fail for a number of calls. */
@Component
public class Warehouse {

    private final JdbcClient jdbc;

    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();

    Warehouse(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public String reserve(String item) {
        return item;
    }

    /** The next {@code times} releases of {@code item} fail. */
    public void failReleases(String item, int times) {
        failures.put(item, new AtomicInteger(times));
    }

    @Compensation("release")
    public void release(String item) {
        AtomicInteger failing = failures.get(item);
        if (failing != null && failing.getAndDecrement() > 0) {
            throw new IllegalStateException("release of " + item + " failed");
        }
        jdbc.sql("INSERT INTO released (item) VALUES (?)").param(item).update();
    }

    public int releases(String item) {
        return jdbc.sql("SELECT count(*) FROM released WHERE item = ?").param(item).query(Integer.class).single();
    }

}
