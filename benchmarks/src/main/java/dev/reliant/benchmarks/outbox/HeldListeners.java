package dev.reliant.benchmarks.outbox;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Keeps Spring Modulith's listeners from running while its writers are measured, without changing what a writer
 * does: after each commit the writer still hands the asynchronous listener invocation to Boot's application task
 * executor, which is paused (its {@code Lifecycle#stop}), so the invocation waits in the executor's queue instead of
 * publishing and completing its publication. Each core thread is first given a no-op to wait with, so that no
 * listener invocation is held by a thread; on close the queued invocations are dropped, and when the application
 * closes, the executor's shutdown releases the threads to run their no-ops.
 */
final class HeldListeners implements AutoCloseable {

    private final ThreadPoolTaskExecutor executor;

    HeldListeners(ConfigurableApplicationContext context) {
        this.executor = context.getBean("applicationTaskExecutor", ThreadPoolTaskExecutor.class);
        executor.stop();
        for (int i = 0; i < executor.getCorePoolSize(); i++) {
            executor.execute(() -> {
            });
        }
    }

    /** The listener invocations waiting. */
    int held() {
        return executor.getQueueSize();
    }

    @Override
    public void close() {
        executor.getThreadPoolExecutor().getQueue().clear();
    }

}
