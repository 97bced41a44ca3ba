package dev.reliant.lock.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of fenced locks, the fence and leader election.
 */
@ConfigurationProperties("reliant.lock")
public class LockProperties {

    /** Whether the lock starter configures anything. */
    private boolean enabled = true;

    /**
     * Which store keeps the locks. AUTO takes Redis when the application configured a Redis connection (a
     * spring.data.redis connection property, a service connection or its own RedisConnectionFactory), else JDBC when
     * there is a DataSource; with neither, the application fails to start.
     */
    private StoreType store = StoreType.AUTO;

    /**
     * How long a lock holds without renewal, when the caller does not say. A watchdog renews it every third of it
     * while held; a holder that dies or is cut off loses it after this long.
     */
    private Duration lease = Duration.ofSeconds(30);

    /** Names this instance in lock holders; empty for host name and process id. */
    private String instanceId = "";

    private final Redis redis = new Redis();

    private final Jdbc jdbc = new Jdbc();

    private final FenceSettings fence = new FenceSettings();

    private final Leader leader = new Leader();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public StoreType getStore() {
        return store;
    }

    public void setStore(StoreType store) {
        this.store = store;
    }

    public Duration getLease() {
        return lease;
    }

    public void setLease(Duration lease) {
        this.lease = lease;
    }

    public String getInstanceId() {
        return instanceId;
    }

    public void setInstanceId(String instanceId) {
        this.instanceId = instanceId;
    }

    public Redis getRedis() {
        return redis;
    }

    public Jdbc getJdbc() {
        return jdbc;
    }

    public FenceSettings getFence() {
        return fence;
    }

    public Leader getLeader() {
        return leader;
    }

    /** The stores a lock can live in. */
    public enum StoreType {

        AUTO, REDIS, JDBC

    }

    /** The Redis store. */
    public static class Redis {

        /** Prefix of every key the lock store writes. */
        private String keyPrefix = "reliant:lock:";

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

    }

    /** The JDBC store and the starter's schema. */
    public static class Jdbc {

        /** The lock table (used by the JDBC store). */
        private String table = "reliant_lock";

        /** Whether the starter creates and upgrades its tables (lock and fence) with its own Flyway history. */
        private boolean createSchema = true;

        /** The starter's Flyway history table, apart from the application's. */
        private String historyTable = "reliant_lock_schema_history";

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

    }

    /** The fence in the application's database. */
    public static class FenceSettings {

        /** Whether the fence (table and {@code Fence} bean) is configured; it needs a DataSource. */
        private boolean enabled = true;

        /** The fence table: resource, highest token, its holder. */
        private String table = "reliant_lock_fence";

        /**
         * Whether transactions begun while a thread runs under a lock check the lock's fence before commit, so that
         * a stale holder's writes roll back without code in the method.
         */
        private boolean checkTransactions = true;

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

        public boolean isCheckTransactions() {
            return checkTransactions;
        }

        public void setCheckTransactions(boolean checkTransactions) {
            this.checkTransactions = checkTransactions;
        }

    }

    /** Leader election for {@code LeaderCandidate} beans. */
    public static class Leader {

        /** How often a candidate that does not lead tries to take its role's lock. */
        private Duration retryInterval = Duration.ofSeconds(1);

        public Duration getRetryInterval() {
            return retryInterval;
        }

        public void setRetryInterval(Duration retryInterval) {
            this.retryInterval = retryInterval;
        }

    }

}
