package dev.reliant.idempotency.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.reliant.idempotency.FingerprintMode;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration of {@code @Idempotent} endpoints.
 */
@ConfigurationProperties("reliant.idempotency")
public class IdempotencyProperties {

    /** Whether the idempotency filter is installed. */
    private boolean enabled = true;

    /** The request header that carries the idempotency key. */
    private String headerName = "Idempotency-Key";

    /**
     * Which store keeps the records. AUTO takes Redis when the application configured a Redis connection
     * (a spring.data.redis connection property, a service connection or its own RedisConnectionFactory), else JDBC
     * when there is a DataSource; with neither, the application fails to start.
     */
    private StoreType store = StoreType.AUTO;

    /** How long a finished request's response is kept and replayed. */
    private Duration retention = Duration.ofHours(24);

    /**
     * How long a claim on a key holds without renewal. While the handler runs, a heartbeat renews it; a claim whose
     * owner crashed lapses after this long, and a retry then takes the key over. Short, so that the keys of a crashed
     * process are answered again within seconds.
     */
    private Duration lease = Duration.ofSeconds(10);

    /** Longest accepted key, in characters. */
    private int maxKeyLength = 255;

    /** Largest request body an idempotent request may have; larger ones get 413 before the key is claimed. */
    private DataSize maxRequestSize = DataSize.ofMegabytes(1);

    /**
     * Largest response body that is stored for replay, and so held in memory until the outcome is recorded. A
     * larger response streams to the client as the handler writes it and is not stored; retries of its key get a
     * 410 problem and never run the handler again.
     */
    private DataSize maxStoredResponseSize = DataSize.ofMegabytes(1);

    /** What of the body enters the request fingerprint when the endpoint does not say. */
    private FingerprintMode fingerprint = FingerprintMode.BODY;

    /**
     * Response headers replayed besides the built-in allow-list (Location, ETag, Content-Type, Content-Encoding,
     * Content-Language, Content-Disposition, Cache-Control, Last-Modified, Link, Vary). Set-Cookie is never stored.
     */
    private List<String> replayedHeaders = new ArrayList<>();

    /**
     * Statuses that are never stored, so the key stays free for a retry: by default the answers of security and
     * request-size checks, and those that ask the client to try again later (408 Request Timeout, 425 Too Early,
     * 429 Too Many Requests), which would otherwise be replayed for the whole retention.
     */
    private List<Integer> unstoredStatuses = new ArrayList<>(List.of(401, 403, 408, 413, 415, 425, 429));

    /**
     * Whether responses to requests that Spring MVC rejected before the handler ran (body unreadable, validation
     * of arguments failed, missing parameters) are stored. They are not by default, so a corrected retry with the
     * same key can run.
     */
    private boolean storeRejectedBeforeHandler = false;

    /** What happens when the store cannot be reached. */
    private FailureMode failureMode = FailureMode.FAIL_CLOSED;

    /** Retry-After sent with 409 while a request with the same key is in flight. */
    private Duration inFlightRetryAfter = Duration.ofSeconds(1);

    /** Retry-After sent with 503 when the store is unavailable. */
    private Duration unavailableRetryAfter = Duration.ofSeconds(5);

    /** Whether responses carry an Idempotency-Key-Expires header (HTTP date) saying until when the key is kept. */
    private boolean advertiseExpiry = true;

    /**
     * Name of the Resilience4j circuit breaker and time limiter around store calls; configure them under
     * resilience4j.circuitbreaker.instances.NAME and resilience4j.timelimiter.instances.NAME. The calls that settle a
     * request that already ran (renew, complete, release) pass a circuit breaker of their own, NAME-settle.
     */
    private String resilienceInstance = "reliant-idempotency";

    /** Order of the filter; after Spring Security's filter chain (-100) so the principal is known. */
    private int filterOrder = -90;

    /** Path rules that make endpoints idempotent without an annotation. */
    private List<Rule> rules = new ArrayList<>();

    private final Heartbeat heartbeat = new Heartbeat();

    private final Scope scope = new Scope();

    private final Redis redis = new Redis();

    private final Jdbc jdbc = new Jdbc();

    private final Outcome outcome = new Outcome();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getHeaderName() {
        return headerName;
    }

    public void setHeaderName(String headerName) {
        this.headerName = headerName;
    }

    public StoreType getStore() {
        return store;
    }

    public void setStore(StoreType store) {
        this.store = store;
    }

    public Duration getRetention() {
        return retention;
    }

    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    public Duration getLease() {
        return lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public int getMaxKeyLength() {
        return maxKeyLength;
    }

    public void setMaxKeyLength(int maxKeyLength) {
        this.maxKeyLength = maxKeyLength;
    }

    public DataSize getMaxRequestSize() {
        return maxRequestSize;
    }

    public void setMaxRequestSize(DataSize maxRequestSize) {
        this.maxRequestSize = maxRequestSize;
    }

    public DataSize getMaxStoredResponseSize() {
        return maxStoredResponseSize;
    }

    public void setMaxStoredResponseSize(DataSize maxStoredResponseSize) {
        this.maxStoredResponseSize = maxStoredResponseSize;
    }

    public FingerprintMode getFingerprint() {
        return fingerprint;
    }

    public void setFingerprint(FingerprintMode fingerprint) {
        this.fingerprint = fingerprint;
    }

    public List<String> getReplayedHeaders() {
        return replayedHeaders;
    }

    public void setReplayedHeaders(List<String> replayedHeaders) {
        this.replayedHeaders = replayedHeaders;
    }

    public List<Integer> getUnstoredStatuses() {
        return unstoredStatuses;
    }

    public void setUnstoredStatuses(List<Integer> unstoredStatuses) {
        this.unstoredStatuses = unstoredStatuses;
    }

    public boolean isStoreRejectedBeforeHandler() {
        return storeRejectedBeforeHandler;
    }

    public void setStoreRejectedBeforeHandler(boolean storeRejectedBeforeHandler) {
        this.storeRejectedBeforeHandler = storeRejectedBeforeHandler;
    }

    public FailureMode getFailureMode() {
        return failureMode;
    }

    public void setFailureMode(FailureMode failureMode) {
        this.failureMode = failureMode;
    }

    public Duration getInFlightRetryAfter() {
        return inFlightRetryAfter;
    }

    public void setInFlightRetryAfter(Duration inFlightRetryAfter) {
        this.inFlightRetryAfter = inFlightRetryAfter;
    }

    public Duration getUnavailableRetryAfter() {
        return unavailableRetryAfter;
    }

    public void setUnavailableRetryAfter(Duration unavailableRetryAfter) {
        this.unavailableRetryAfter = unavailableRetryAfter;
    }

    public boolean isAdvertiseExpiry() {
        return advertiseExpiry;
    }

    public void setAdvertiseExpiry(boolean advertiseExpiry) {
        this.advertiseExpiry = advertiseExpiry;
    }

    public String getResilienceInstance() {
        return resilienceInstance;
    }

    public void setResilienceInstance(String resilienceInstance) {
        this.resilienceInstance = resilienceInstance;
    }

    public int getFilterOrder() {
        return filterOrder;
    }

    public void setFilterOrder(int filterOrder) {
        this.filterOrder = filterOrder;
    }

    public List<Rule> getRules() {
        return rules;
    }

    public void setRules(List<Rule> rules) {
        this.rules = rules;
    }

    public Heartbeat getHeartbeat() {
        return heartbeat;
    }

    public Scope getScope() {
        return scope;
    }

    public Redis getRedis() {
        return redis;
    }

    public Jdbc getJdbc() {
        return jdbc;
    }

    public Outcome getOutcome() {
        return outcome;
    }

    /** Which store keeps idempotency records. */
    public enum StoreType {

        /** Redis when a Redis connection is configured, else JDBC when a DataSource exists. */
        AUTO,

        /** Redis through Spring Data Redis, with Lettuce or Jedis, whichever the connection factory uses. */
        REDIS,

        /** A PostgreSQL table. */
        JDBC,

        /** This JVM's memory; for tests and development only. */
        MEMORY

    }

    /** What to do when the store cannot be reached. */
    public enum FailureMode {

        /** Answer 503 with Retry-After and run nothing: a duplicate can never slip through. */
        FAIL_CLOSED,

        /** Run the handler without idempotency protection: availability over duplicate safety. */
        FAIL_OPEN

    }

    /** Renewal of a running request's lease. */
    public static class Heartbeat {

        /** Whether running requests renew their lease; without it a request must finish within one lease. */
        private boolean enabled = true;

        /** How often a running request renews its lease; by default a third of the lease. */
        private Duration interval;

        /**
         * How long a request's lease is renewed at most. A handler that runs longer (hung on a deadlock or a call
         * without a timeout) loses its key once the lease then lapses, and a retry takes it over.
         */
        private Duration maxExecutionTime = Duration.ofMinutes(10);

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

        public Duration getMaxExecutionTime() {
            return maxExecutionTime;
        }

        public void setMaxExecutionTime(Duration maxExecutionTime) {
            this.maxExecutionTime = maxExecutionTime;
        }
    }

    /** Whose keys a request's key belongs to. */
    public static class Scope {

        /** How the scope of a request is found, unless an IdempotencyScopeResolver bean is defined. */
        private ScopeMode mode = ScopeMode.PRINCIPAL;

        /**
         * Longest scope (user or tenant name with its kind prefix), in characters; a request with a longer one is
         * rejected with 400 before the store is asked.
         */
        private int maxLength = 255;

        private final Tenant tenant = new Tenant();

        public ScopeMode getMode() {
            return mode;
        }

        public void setMode(ScopeMode mode) {
            this.mode = mode;
        }

        public int getMaxLength() {
            return maxLength;
        }

        public void setMaxLength(int maxLength) {
            this.maxLength = maxLength;
        }

        public Tenant getTenant() {
            return tenant;
        }
    }

    /**
     * Where the tenant of a request comes from, for mode TENANT or @Idempotent(scope = TENANT), unless an
     * IdempotencyTenantResolver bean is defined. It is always something the server authenticated.
     */
    public static class Tenant {

        /** Prefix of the Spring Security authority that names the principal's tenant (TENANT_acme is acme). */
        private String authorityPrefix = "TENANT_";

        /**
         * Header that names the tenant, set by a trusted gateway in front of the application (which must drop the
         * client's own). Only when it is set is a header used at all; the principal's authority is then ignored.
         */
        private String trustedHeader;

        /**
         * Whether a tenant from the trusted header is combined with the principal, so that each user of a tenant
         * has keys of their own; switch off when the gateway authenticates the tenant alone.
         */
        private boolean withPrincipal = true;

        public String getAuthorityPrefix() {
            return authorityPrefix;
        }

        public void setAuthorityPrefix(String authorityPrefix) {
            this.authorityPrefix = authorityPrefix;
        }

        public String getTrustedHeader() {
            return trustedHeader;
        }

        public void setTrustedHeader(String trustedHeader) {
            this.trustedHeader = trustedHeader;
        }

        public boolean isWithPrincipal() {
            return withPrincipal;
        }

        public void setWithPrincipal(boolean withPrincipal) {
            this.withPrincipal = withPrincipal;
        }
    }

    /** The built-in ways of scoping keys. */
    public enum ScopeMode {

        /** By authenticated principal; unauthenticated requests share one anonymous scope. */
        PRINCIPAL,

        /** By the authenticated tenant (see scope.tenant); a request without one is rejected with 400. */
        TENANT,

        /** No scope: every client shares one key space. Choose it only when keys cannot collide across clients. */
        GLOBAL

    }

    /** Redis store settings. */
    public static class Redis {

        /** Prefix of every Redis key the store writes. */
        private String keyPrefix = "reliant:idempotency:";

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }
    }

    /** JDBC store settings. */
    public static class Jdbc {

        /** Table that holds the records. */
        private String table = "reliant_idempotency_record";

        /** Whether the starter creates and migrates its table with its own Flyway history table. */
        private boolean createSchema = true;

        /** Flyway history table of the starter's own migrations. */
        private String historyTable = "reliant_idempotency_schema_history";

        /** How often expired records are deleted. */
        private Duration cleanupInterval = Duration.ofMinutes(5);

        /** How many expired records one cleanup statement deletes at most. */
        private int cleanupBatchSize = 1000;

        /** Threads that run store statements, so callers can stop waiting on a hung database. */
        private int threads = 8;

        /**
         * Statements that may wait for one of the threads. When the queue is full, a call fails at once as the store
         * being unavailable rather than wait behind statements whose callers already gave up; 0 for no queue.
         */
        private int queueCapacity = 64;

        public String getTable() {
            return table;
        }

        public void setTable(String table) {
            this.table = table;
        }

        public boolean isCreateSchema() {
            return createSchema;
        }

        public void setCreateSchema(boolean createSchema) {
            this.createSchema = createSchema;
        }

        public String getHistoryTable() {
            return historyTable;
        }

        public void setHistoryTable(String historyTable) {
            this.historyTable = historyTable;
        }

        public Duration getCleanupInterval() {
            return cleanupInterval;
        }

        public void setCleanupInterval(Duration cleanupInterval) {
            this.cleanupInterval = cleanupInterval;
        }

        public int getCleanupBatchSize() {
            return cleanupBatchSize;
        }

        public void setCleanupBatchSize(int cleanupBatchSize) {
            this.cleanupBatchSize = cleanupBatchSize;
        }

        public int getThreads() {
            return threads;
        }

        public void setThreads(int threads) {
            this.threads = threads;
        }

        public int getQueueCapacity() {
            return queueCapacity;
        }

        public void setQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
        }
    }

    /**
     * Durable outcomes: with a {@code DataSource}, each idempotent handler runs in one transaction on it, and the
     * request's outcome is committed in that transaction together with the handler's writes.
     */
    public static class Outcome {

        /** Whether handlers run in a request transaction that commits their outcome with their writes. */
        private boolean enabled = true;

        /** Table that holds the outcomes. */
        private String table = "reliant_idempotency_outcome";

        /** Whether the starter creates and migrates its table with its own Flyway history table. */
        private boolean createSchema = true;

        /** Flyway history table of the outcome table's migrations. */
        private String historyTable = "reliant_idempotency_outcome_schema_history";

        /** How often expired outcomes are deleted. */
        private Duration cleanupInterval = Duration.ofMinutes(5);

        /** How many expired outcomes one cleanup statement deletes at most. */
        private int cleanupBatchSize = 1000;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getTable() {
            return table;
        }

        public void setTable(String table) {
            this.table = table;
        }

        public boolean isCreateSchema() {
            return createSchema;
        }

        public void setCreateSchema(boolean createSchema) {
            this.createSchema = createSchema;
        }

        public String getHistoryTable() {
            return historyTable;
        }

        public void setHistoryTable(String historyTable) {
            this.historyTable = historyTable;
        }

        public Duration getCleanupInterval() {
            return cleanupInterval;
        }

        public void setCleanupInterval(Duration cleanupInterval) {
            this.cleanupInterval = cleanupInterval;
        }

        public int getCleanupBatchSize() {
            return cleanupBatchSize;
        }

        public void setCleanupBatchSize(int cleanupBatchSize) {
            this.cleanupBatchSize = cleanupBatchSize;
        }
    }

    /** An endpoint made idempotent by configuration. */
    public static class Rule {

        /** HTTP method the rule applies to; empty for all methods. */
        private String method;

        /** Path pattern (Spring PathPattern syntax, e.g. /legacy/orders/**) the rule applies to. */
        private String pattern;

        /** Whether requests without a key are rejected. */
        private boolean required = true;

        /** Retention of stored responses; the global retention when unset. */
        private Duration ttl;

        /** Lease of claims; the global lease when unset. */
        private Duration lease;

        /** Fingerprint mode; the global mode when unset. */
        private FingerprintMode fingerprint = FingerprintMode.DEFAULT;

        public String getMethod() {
            return method;
        }

        public void setMethod(String method) {
            this.method = method;
        }

        public String getPattern() {
            return pattern;
        }

        public void setPattern(String pattern) {
            this.pattern = pattern;
        }

        public boolean isRequired() {
            return required;
        }

        public void setRequired(boolean required) {
            this.required = required;
        }

        public Duration getTtl() {
            return ttl;
        }

        public void setTtl(Duration ttl) {
            this.ttl = ttl;
        }

        public Duration getLease() {
            return lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public FingerprintMode getFingerprint() {
            return fingerprint;
        }

        public void setFingerprint(FingerprintMode fingerprint) {
            this.fingerprint = fingerprint;
        }
    }
}
