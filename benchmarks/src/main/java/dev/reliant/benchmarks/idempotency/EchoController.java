package dev.reliant.benchmarks.idempotency;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reliant.idempotency.Idempotent;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The same JSON echo with and without {@code @Idempotent}, and an idempotent endpoint that holds its requests until
 * released, so that duplicates sent meanwhile take the in-progress (409) path.
 */
@RestController
public class EchoController {

    private final AtomicInteger holding = new AtomicInteger();

    private volatile CountDownLatch release = new CountDownLatch(0);

    @PostMapping("/bench/plain")
    Map<String, Object> plain(@RequestBody Map<String, Object> body) {
        return body;
    }

    @Idempotent
    @PostMapping("/bench/idempotent")
    Map<String, Object> idempotent(@RequestBody Map<String, Object> body) {
        return body;
    }

    @Idempotent
    @PostMapping("/bench/held")
    Map<String, Object> held(@RequestBody Map<String, Object> body) throws InterruptedException {
        holding.incrementAndGet();
        try {
            if (!release.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("Never released");
            }
            return body;
        }
        finally {
            holding.decrementAndGet();
        }
    }

    /** Makes the next requests to {@code /bench/held} wait until {@link #release()}. */
    void hold() {
        release = new CountDownLatch(1);
    }

    void release() {
        release.countDown();
    }

    int holding() {
        return holding.get();
    }

}
