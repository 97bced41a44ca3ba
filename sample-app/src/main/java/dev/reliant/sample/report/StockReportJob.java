package dev.reliant.sample.report;

import dev.reliant.lock.CurrentLock;
import dev.reliant.lock.Locked;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * A periodic stock report, written to {@code stock_report}. Every instance schedules it; the lock lets one at a
 * time run it, and the report's transaction checks the lock's fence before it commits, so an instance that was
 * paused past its lease while another wrote a newer report has its report rolled back.
 */
@Component
public class StockReportJob {

    private final JdbcClient jdbc;

    public StockReportJob(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Scheduled(initialDelayString = "${sample.report.initial-delay:10s}",
            fixedDelayString = "${sample.report.interval:1m}")
    @Locked(name = "stock-report", lease = "${sample.report.lease:30s}")
    @Transactional
    public void report() {
        jdbc.sql("INSERT INTO stock_report (skus, units, lock_token) SELECT count(*), coalesce(sum(available), 0), ?"
                + " FROM inventory")
            .param(CurrentLock.token())
            .update();
    }

}
