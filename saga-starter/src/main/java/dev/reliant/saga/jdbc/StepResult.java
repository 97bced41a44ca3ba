package dev.reliant.saga.jdbc;

/**
 * What a durable step's action returned, as JSON ({@code null} when JSON cannot hold it), waiting to be written
 * with the saga's next log statement.
 */
public record StepResult(int seq, String json) {
}
