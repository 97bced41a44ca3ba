package dev.reliant.saga.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.reliant.saga.SagaFencedException;
import dev.reliant.saga.SagaOptions;
import io.github.resilience4j.core.IntervalFunction;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.log.LogMessage;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Runs a saga's compensations, each retried with backoff, in the given order or all at once. A compensation
 * refused by the fence is not retried: the saga belongs to another process now. Once the application is stopping,
 * a compensation that fails is neither retried nor counted against its attempts: the saga is left to recovery,
 * since the failure may be the shutdown's own doing.
 */
public class Compensator implements SmartLifecycle, DisposableBean {

    private static final Log log = LogFactory.getLog(Compensator.class);

    private final int maxAttempts;

    private final IntervalFunction backoff;

    private final ExecutorService parallelExecutor;

    private final SagaMetrics metrics;

    /** Counted down when the application stops: wakes every compensation waiting to retry. */
    private volatile CountDownLatch stopping = new CountDownLatch(1);

    private volatile boolean running;

    public Compensator(int maxAttempts, IntervalFunction backoff, SagaMetrics metrics) {
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.parallelExecutor = Executors.newCachedThreadPool(new CustomizableThreadFactory("reliant-saga-compensation-"));
        this.metrics = metrics;
    }

    @Override
    public void start() {
        stopping = new CountDownLatch(1);
        running = true;
    }

    /** Stops early, before the web server drains its requests and long before the data source closes. */
    @Override
    public void stop() {
        running = false;
        stopping.countDown();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void destroy() {
        stopping.countDown();
        parallelExecutor.shutdown();
    }

    Outcome compensate(String sagaName, List<CompensationTask> tasks, SagaOptions options) {
        List<Result> results = new ArrayList<>();
        if (options.parallel()) {
            List<CompletableFuture<Result>> running = tasks.stream()
                .map(task -> CompletableFuture.supplyAsync(() -> run(sagaName, task), parallelExecutor))
                .toList();
            running.forEach(future -> results.add(future.join()));
        }
        else {
            for (CompensationTask task : tasks) {
                Result result = run(sagaName, task);
                results.add(result);
                if (result.interrupted() || (result.failure() != null && !options.continueOnError())) {
                    break;
                }
            }
        }
        boolean fenced = results.stream().anyMatch(Result::fenced);
        boolean interrupted = results.stream().anyMatch(Result::interrupted);
        Throwable failure = results.stream().map(Result::failure).filter(e -> e != null).findFirst().orElse(null);
        boolean complete = results.size() == tasks.size() && failure == null && !fenced && !interrupted;
        return new Outcome(complete, fenced, interrupted, failure);
    }

    private Result run(String sagaName, CompensationTask task) {
        long start = System.nanoTime();
        for (int attempt = 1;; attempt++) {
            try {
                task.attempt(attempt);
                metrics.compensation(sagaName, "success", System.nanoTime() - start);
                return new Result(false, false, null);
            }
            catch (SagaFencedException ex) {
                return fenced(sagaName, task, start);
            }
            catch (Throwable ex) {
                boolean retry = retryable(ex) && attempt < maxAttempts;
                if (isStopping() || (retry && !waitUnlessStopping(attempt))) {
                    log.info(LogMessage.format("Compensation '%s' of saga '%s' is left to recovery: the application"
                            + " is stopping (%s)", task.stepName(), sagaName, ex));
                    metrics.compensation(sagaName, "interrupted", System.nanoTime() - start);
                    return new Result(false, true, null);
                }
                if (!retry) {
                    return gaveUp(sagaName, task, attempt, ex, start);
                }
            }
        }
    }

    private Result fenced(String sagaName, CompensationTask task, long start) {
        log.info(LogMessage.format("Compensation '%s' of saga '%s' left to the saga's new owner", task.stepName(),
                sagaName));
        metrics.compensation(sagaName, "fenced", System.nanoTime() - start);
        return new Result(true, false, null);
    }

    private Result gaveUp(String sagaName, CompensationTask task, int attempts, Throwable ex, long start) {
        log.warn(LogMessage.format("Compensation '%s' of saga '%s' failed after %d attempt(s)", task.stepName(),
                sagaName, attempts), ex);
        metrics.compensation(sagaName, "failure", System.nanoTime() - start);
        try {
            task.gaveUp(attempts, ex);
        }
        catch (SagaFencedException fenced) {
            return new Result(true, false, null);
        }
        catch (RuntimeException recordFailure) {
            ex.addSuppressed(recordFailure);
        }
        return new Result(false, false, ex);
    }

    private static boolean retryable(Throwable error) {
        return !(error instanceof IncompatibleArgumentsException);
    }

    private boolean isStopping() {
        return stopping.getCount() == 0;
    }

    /** Waits before attempt {@code attempt + 1}; false when the application began to stop meanwhile. */
    private boolean waitUnlessStopping(int attempt) {
        try {
            return !stopping.await(backoff.apply(attempt), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private record Result(boolean fenced, boolean interrupted, Throwable failure) {
    }

    /**
     * How a compensation run ended.
     *
     * @param complete every compensation ran
     * @param fenced at least one was refused because another process took the saga over
     * @param interrupted at least one was left undone because the application is stopping
     * @param failure the first compensation failure, if any
     */
    record Outcome(boolean complete, boolean fenced, boolean interrupted, Throwable failure) {
    }

}
