package dev.reliant.outbox.jdbc;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Where the outbox lives: the tables (optionally in a schema) and the notification channel the relay listens on.
 * Names are checked once here, because they are written into SQL.
 */
public final class OutboxTables {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /**
     * The longest outbox table name: the names of its key and instance tables and of their indexes append up to 20
     * characters, and PostgreSQL would cut names longer than 63 characters, silently making two names one.
     */
    private static final int MAX_OUTBOX_NAME = 43;

    private final @Nullable String schema;

    private final String outbox;

    private final String inbox;

    private final String channel;

    public OutboxTables(@Nullable String schema, String outbox, String inbox, String channel) {
        this.schema = (schema == null || schema.isBlank()) ? null : identifier(schema, "schema");
        this.outbox = identifier(outbox, "outbox table");
        if (outbox.length() > MAX_OUTBOX_NAME) {
            throw new IllegalArgumentException("Invalid outbox table name '" + outbox + "': longer than "
                    + MAX_OUTBOX_NAME + " characters");
        }
        this.inbox = identifier(inbox, "inbox table");
        this.channel = identifier(channel, "notification channel");
    }

    public @Nullable String schema() {
        return schema;
    }

    /** The outbox table name without schema. */
    public String outboxName() {
        return outbox;
    }

    /** The inbox table name without schema. */
    public String inboxName() {
        return inbox;
    }

    /** The outbox table as written in SQL. */
    public String outbox() {
        return qualify(outbox);
    }

    /** The table of keys with pending messages, their due times and leases, as written in SQL. */
    public String keys() {
        return qualify(outbox + "_keys");
    }

    /** The table of relaying instances and their liveness, as written in SQL. */
    public String instances() {
        return qualify(outbox + "_instances");
    }

    /** The inbox table as written in SQL. */
    public String inbox() {
        return qualify(inbox);
    }

    public String channel() {
        return channel;
    }

    /**
     * The first key of the two-key advisory locks that serialise writers of one message key, so that the outbox's
     * locks stay apart from the application's own single-key advisory locks and from another outbox table's.
     */
    public int lockNamespace() {
        return outbox().hashCode();
    }

    private String qualify(String table) {
        return (schema != null) ? schema + "." + table : table;
    }

    private static String identifier(String name, String what) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid " + what + " name '" + name + "'");
        }
        return name;
    }
}
