package dev.reliant.saga.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import dev.reliant.saga.SagaFencedException;
import dev.reliant.saga.SagaOptions;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.log.LogMessage;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Runs a saga's compensations, each retried with backoff, in the given order or all at once. A compensation
 * refused by the fence is not retried: the saga belongs to another process now.
 */
public class Compensator implements DisposableBean {

    private static final Log log = LogFactory.getLog(Compensator.class);

    private final RetryConfig retryConfig;

    private final ExecutorService parallelExecutor;

    private final SagaMetrics metrics;

    public Compensator(int maxAttempts, IntervalFunction backoff, SagaMetrics metrics) {
        this.retryConfig = RetryConfig.custom()
            .maxAttempts(maxAttempts)
            .intervalFunction(backoff)
            .retryOnException(error -> !(error instanceof SagaFencedException))
            .build();
        this.parallelExecutor = Executors.newCachedThreadPool(new CustomizableThreadFactory("reliant-saga-compensation-"));
        this.metrics = metrics;
    }

    @Override
    public void destroy() {
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
                if (result.failure() != null && !options.continueOnError()) {
                    break;
                }
            }
        }
        boolean fenced = results.stream().anyMatch(Result::fenced);
        Throwable failure = results.stream().map(Result::failure).filter(e -> e != null).findFirst().orElse(null);
        boolean complete = results.size() == tasks.size() && failure == null && !fenced;
        return new Outcome(complete, fenced, failure);
    }

    private Result run(String sagaName, CompensationTask task) {
        long start = System.nanoTime();
        AtomicInteger attempts = new AtomicInteger();
        Retry retry = Retry.of(sagaName + ":" + task.stepName(), retryConfig);
        try {
            Retry.decorateCheckedRunnable(retry, () -> task.attempt(attempts.incrementAndGet())).run();
            metrics.compensation(sagaName, "success", System.nanoTime() - start);
            return new Result(false, null);
        }
        catch (SagaFencedException ex) {
            log.info(LogMessage.format("Compensation '%s' of saga '%s' left to the saga's new owner", task.stepName(),
                    sagaName));
            metrics.compensation(sagaName, "fenced", System.nanoTime() - start);
            return new Result(true, null);
        }
        catch (Throwable ex) {
            log.warn(LogMessage.format("Compensation '%s' of saga '%s' failed after %d attempt(s)", task.stepName(),
                    sagaName, attempts.get()), ex);
            metrics.compensation(sagaName, "failure", System.nanoTime() - start);
            try {
                task.gaveUp(attempts.get(), ex);
            }
            catch (SagaFencedException fenced) {
                return new Result(true, null);
            }
            catch (RuntimeException recordFailure) {
                ex.addSuppressed(recordFailure);
            }
            return new Result(false, ex);
        }
    }

    private record Result(boolean fenced, Throwable failure) {
    }

    /**
     * How a compensation run ended.
     *
     * @param complete every compensation ran
     * @param fenced at least one was refused because another process took the saga over
     * @param failure the first compensation failure, if any
     */
    record Outcome(boolean complete, boolean fenced, Throwable failure) {
    }

}
