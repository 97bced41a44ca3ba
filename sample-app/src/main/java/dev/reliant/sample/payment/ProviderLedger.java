package dev.reliant.sample.payment;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The payment provider's charges. Charging and refunding are idempotent by charge id, and a refund is final: a
 * refund that finds no charge leaves a tombstone, and a charge that arrives after its refund (a late action whose
 * compensation came first) is refused.
 */
@Repository
class ProviderLedger {

    private final JdbcClient jdbc;

    ProviderLedger(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records the charge; false when it was refunded before it arrived. A repeated charge changes nothing. */
    @Transactional
    boolean charge(String id, long amountCents, String reference) {
        int charged = jdbc.sql("INSERT INTO payment_charge (id, amount_cents, reference) VALUES (?, ?, ?) "
                + "ON CONFLICT (id) DO NOTHING")
            .params(id, amountCents, reference)
            .update();
        return charged == 1 || !jdbc.sql("SELECT refunded FROM payment_charge WHERE id = ?")
            .param(id)
            .query(Boolean.class)
            .single();
    }

    /** Refunds the charge once; true when this call refunded a charge that was made. */
    @Transactional
    boolean refund(String id) {
        return jdbc.sql("INSERT INTO payment_charge (id, refunded) VALUES (?, TRUE) ON CONFLICT (id)"
                + " DO UPDATE SET refunded = TRUE WHERE NOT payment_charge.refunded RETURNING amount_cents")
            .param(id)
            .query(Long.class)
            .optional()
            .isPresent();
    }
}
