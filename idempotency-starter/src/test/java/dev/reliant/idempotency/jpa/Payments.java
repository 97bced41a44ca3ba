package dev.reliant.idempotency.jpa;

import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

interface Payments extends JpaRepository<Payment, UUID> {
}
