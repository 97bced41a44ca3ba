package dev.reliant.saga.jdbc;

/** A durable step as recorded in the log. */
public record StepRecord(int seq, String name, String handler, String arguments, String result, StepState state) {
}
