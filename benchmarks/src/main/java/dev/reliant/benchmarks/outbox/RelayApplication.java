package dev.reliant.benchmarks.outbox;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** An application instance that only relays: the outbox starter and nothing of its own. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class RelayApplication {

}
