package dev.reliant.saga.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Configuration of the saga starter. */
@ConfigurationProperties("reliant.saga")
public class SagaProperties {

    /** Whether to set up sagas at all. */
    private boolean enabled = true;

    /**
     * Identity of this process in the saga log, recorded as the owner of the sagas it runs. Must differ between
     * processes sharing a database; generated from the host name and a random suffix when not set.
     */
    private String ownerId;

    private final Lease lease = new Lease();

    private final Compensation compensation = new Compensation();

    private final Recovery recovery = new Recovery();

    private final Schema schema = new Schema();

    private final Web web = new Web();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getOwnerId() {
        return ownerId;
    }

    public void setOwnerId(String ownerId) {
        this.ownerId = ownerId;
    }

    public Lease getLease() {
        return lease;
    }

    public Compensation getCompensation() {
        return compensation;
    }

    public Recovery getRecovery() {
        return recovery;
    }

    public Schema getSchema() {
        return schema;
    }

    public Web getWeb() {
        return web;
    }

    /** How long a process keeps its sagas without showing signs of life. */
    public static class Lease {

        /**
         * How long after its last renewal a running saga counts as orphaned and may be taken over by a recovery
         * worker. Longer than the worst pause (GC, stalled I/O) an owner should survive, and short enough that a
         * crashed process's sagas are compensated within seconds.
         */
        private Duration duration = Duration.ofSeconds(10);

        /** How often the owner renews the leases of its running sagas; well below the lease duration. */
        private Duration renewInterval = Duration.ofSeconds(3);

        public Duration getDuration() {
            return duration;
        }

        public void setDuration(Duration duration) {
            this.duration = duration;
        }

        public Duration getRenewInterval() {
            return renewInterval;
        }

        public void setRenewInterval(Duration renewInterval) {
            this.renewInterval = renewInterval;
        }

    }

    /** How compensations run when a saga fails. */
    public static class Compensation {

        /** Whether to run a failed saga's compensations all at once rather than in reverse step order. */
        private boolean parallel;

        /**
         * Whether to go on with the remaining compensations when one still fails after its retries, instead of
         * stopping there. The saga ends stuck either way.
         */
        private boolean continueOnError;

        /** Attempts per compensation, the first included, before the saga is marked stuck. */
        private int maxAttempts = 4;

        /** Wait before the second attempt. */
        private Duration initialBackoff = Duration.ofMillis(200);

        /** Factor applied to the wait after each further failed attempt. */
        private double backoffMultiplier = 2.0;

        /** Longest wait between two attempts. */
        private Duration maxBackoff = Duration.ofSeconds(5);

        public boolean isParallel() {
            return parallel;
        }

        public void setParallel(boolean parallel) {
            this.parallel = parallel;
        }

        public boolean isContinueOnError() {
            return continueOnError;
        }

        public void setContinueOnError(boolean continueOnError) {
            this.continueOnError = continueOnError;
        }

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public double getBackoffMultiplier() {
            return backoffMultiplier;
        }

        public void setBackoffMultiplier(double backoffMultiplier) {
            this.backoffMultiplier = backoffMultiplier;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

    }

    /** The worker that finishes the sagas of processes that died. */
    public static class Recovery {

        /** Whether this process runs a recovery worker. */
        private boolean enabled = true;

        /** Pause between two recovery passes. */
        private Duration interval = Duration.ofSeconds(2);

        /** Sagas claimed per statement. */
        private int batchSize = 50;

        /** How long completed, compensated and resolved sagas stay in the log before they are deleted. */
        private Duration retention = Duration.ofDays(7);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public Duration getRetention() {
            return retention;
        }

        public void setRetention(Duration retention) {
            this.retention = retention;
        }

    }

    /** The saga log's tables. */
    public static class Schema {

        /** Whether to create and upgrade the tables with the starter's own Flyway migrations. */
        private boolean create = true;

        /** Table of sagas. */
        private String sagaTable = "reliant_saga";

        /** Table of durable steps. */
        private String stepTable = "reliant_saga_step";

        /** Flyway history table of the starter's migrations, apart from the application's own. */
        private String historyTable = "reliant_saga_schema_history";

        public boolean isCreate() {
            return create;
        }

        public void setCreate(boolean create) {
            this.create = create;
        }

        public String getSagaTable() {
            return sagaTable;
        }

        public void setSagaTable(String sagaTable) {
            this.sagaTable = sagaTable;
        }

        public String getStepTable() {
            return stepTable;
        }

        public void setStepTable(String stepTable) {
            this.stepTable = stepTable;
        }

        public String getHistoryTable() {
            return historyTable;
        }

        public void setHistoryTable(String historyTable) {
            this.historyTable = historyTable;
        }

    }

    /** The request-scoped saga of Spring MVC requests. */
    public static class Web {

        /** Whether each request gets a saga, ended by a servlet filter. */
        private boolean enabled = true;

        /**
         * Response statuses that fail the request's saga, as codes ({@code 409}) or classes ({@code 4xx}). A
         * handler exception always fails it.
         */
        private List<String> failureStatuses = new ArrayList<>(List.of("5xx"));

        /**
         * Order of the saga filter. Late by default, so that it runs inside filters that must see the final
         * status (an idempotency filter, for one) and around the dispatcher.
         */
        private int filterOrder = Integer.MAX_VALUE - 100;

        /**
         * URL patterns of the requests that get a saga. The filter holds each of their response bodies in memory
         * until the saga ended, so leave out endpoints that stream large responses.
         */
        private List<String> urlPatterns = new ArrayList<>(List.of("/*"));

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public List<String> getFailureStatuses() {
            return failureStatuses;
        }

        public void setFailureStatuses(List<String> failureStatuses) {
            this.failureStatuses = failureStatuses;
        }

        public int getFilterOrder() {
            return filterOrder;
        }

        public void setFilterOrder(int filterOrder) {
            this.filterOrder = filterOrder;
        }

        public List<String> getUrlPatterns() {
            return urlPatterns;
        }

        public void setUrlPatterns(List<String> urlPatterns) {
            this.urlPatterns = urlPatterns;
        }

    }

}
