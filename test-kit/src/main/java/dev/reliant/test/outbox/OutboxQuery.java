package dev.reliant.test.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The outbox messages that match every condition given so far. Each condition returns a new query; reading
 * ({@link #list()}, {@link #single()}, {@link #awaitRelayed()}) queries the table then.
 */
public final class OutboxQuery {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;

    private final String table;

    private final Map<String, String> conditions;

    OutboxQuery(JdbcTemplate jdbc, String table) {
        this(jdbc, table, Map.of());
    }

    private OutboxQuery(JdbcTemplate jdbc, String table, Map<String, String> conditions) {
        this.jdbc = jdbc;
        this.table = table;
        this.conditions = conditions;
    }

    /** Messages for this Kafka topic or RabbitMQ exchange. */
    public OutboxQuery to(String destination) {
        return with("destination", destination);
    }

    /** Messages of this ordering key (the aggregate id the application published them with). */
    public OutboxQuery withKey(String key) {
        return with("message_key", key);
    }

    /** Messages of this event type. */
    public OutboxQuery ofType(String type) {
        return with("type", type);
    }

    /** The message with this id, as {@code Outbox#publish} returned it. */
    public OutboxQuery withId(UUID id) {
        return with("id", id.toString());
    }

    /** The matching messages, in the order the relay sends them. */
    public List<WrittenMessage> list() {
        StringBuilder sql = new StringBuilder("SELECT id, destination, message_key, type, payload, headers::text,"
                + " status, attempts, published_at, last_error FROM " + table + " WHERE true");
        List<Object> arguments = new ArrayList<>();
        conditions.forEach((column, value) -> {
            sql.append(" AND ").append(column).append(column.equals("id") ? " = ?::uuid" : " = ?");
            arguments.add(value);
        });
        sql.append(" ORDER BY seq");
        return jdbc.query(sql.toString(), OutboxQuery::message, arguments.toArray());
    }

    /** The one matching message; fails when there is none or more than one. */
    public WrittenMessage single() {
        List<WrittenMessage> messages = list();
        if (messages.size() != 1) {
            throw new AssertionError("Expected exactly one outbox message " + this + ", found " + messages.size()
                    + describe(messages));
        }
        return messages.get(0);
    }

    /** Fails unless exactly {@code count} messages match; returns them. */
    public List<WrittenMessage> hasSize(int count) {
        List<WrittenMessage> messages = list();
        if (messages.size() != count) {
            throw new AssertionError("Expected " + count + " outbox message(s) " + this + ", found "
                    + messages.size() + describe(messages));
        }
        return messages;
    }

    /** Fails when any message matches: the transaction wrote none, or rolled back. */
    public void isEmpty() {
        hasSize(0);
    }

    /**
     * Waits up to {@link OutboxMessages#DEFAULT_RELAY_TIMEOUT} until at least one message matches and the relay
     * marked every matching message published; returns them.
     * @see #awaitRelayed(Duration)
     */
    public List<WrittenMessage> awaitRelayed() {
        return awaitRelayed(OutboxMessages.DEFAULT_RELAY_TIMEOUT);
    }

    /**
     * Waits up to {@code timeout} until at least one message matches and the relay marked every matching message
     * published; returns them. Fails at once when one of them is parked: the relay will not publish it.
     */
    public List<WrittenMessage> awaitRelayed(Duration timeout) {
        List<List<WrittenMessage>> last = new ArrayList<>(List.of(List.of()));
        try {
            Awaitility.await("outbox messages " + this + " relayed")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    List<WrittenMessage> messages = list();
                    last.set(0, messages);
                    List<WrittenMessage> parked = messages.stream().filter(WrittenMessage::parked).toList();
                    if (!parked.isEmpty()) {
                        throw new AssertionError("Outbox message(s) " + this + " were parked and will not be"
                                + " relayed" + describe(parked));
                    }
                    return !messages.isEmpty() && messages.stream().allMatch(WrittenMessage::relayed);
                });
        }
        catch (ConditionTimeoutException ex) {
            throw new AssertionError("Outbox messages " + this + " were not all relayed within " + timeout
                    + describe(last.get(0)), ex);
        }
        return last.get(0);
    }

    private OutboxQuery with(String column, String value) {
        if (value == null) {
            throw new IllegalArgumentException(column + " must not be null");
        }
        Map<String, String> more = new LinkedHashMap<>(conditions);
        more.put(column, value);
        return new OutboxQuery(jdbc, table, more);
    }

    private static WrittenMessage message(ResultSet row, int rowNumber) throws SQLException {
        Timestamp publishedAt = row.getTimestamp("published_at");
        return new WrittenMessage(row.getObject("id", UUID.class), row.getString("destination"),
                row.getString("message_key"), row.getString("type"), row.getString("payload"),
                JSON.readValue(row.getString("headers"), HEADERS), row.getString("status"), row.getInt("attempts"),
                (publishedAt != null) ? publishedAt.toInstant() : null, row.getString("last_error"));
    }

    private static String describe(List<WrittenMessage> messages) {
        StringBuilder text = new StringBuilder(messages.isEmpty() ? "" : ":");
        messages.forEach(message -> text.append(System.lineSeparator()).append("  ").append(message));
        return text.toString();
    }

    @Override
    public String toString() {
        return conditions.isEmpty() ? "(any)" : conditions.toString().replace("message_key", "key");
    }

}
