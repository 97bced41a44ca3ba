package dev.reliant.outbox.jpa;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.reliant.outbox.OutboxMessage;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.context.event.EventListener;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;

/** A Spring Data JPA application whose messages the relay publishes as application events. */
@SpringBootConfiguration
@EnableAutoConfiguration
@EntityScan(basePackageClasses = JpaApplication.class)
@EnableJpaRepositories(basePackageClasses = JpaApplication.class)
public class JpaApplication {

    final List<OutboxMessage> relayed = new CopyOnWriteArrayList<>();

    @EventListener
    void on(OutboxMessage message) {
        relayed.add(message);
    }
}
