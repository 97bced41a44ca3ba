package dev.reliant.saga.web;

import java.util.List;
import java.util.Locale;

import org.springframework.util.Assert;

/** The response statuses that fail a request's saga: exact codes ({@code 409}) or classes ({@code 5xx}). */
public final class FailureStatuses {

    private final boolean[] failing = new boolean[600];

    public FailureStatuses(List<String> patterns) {
        for (String pattern : patterns) {
            String value = pattern.trim().toLowerCase(Locale.ROOT);
            if (value.matches("[1-5]xx")) {
                int base = (value.charAt(0) - '0') * 100;
                for (int status = base; status < base + 100; status++) {
                    failing[status] = true;
                }
            }
            else {
                Assert.isTrue(value.matches("[1-5][0-9][0-9]"), () -> "Not a status or status class: " + pattern);
                failing[Integer.parseInt(value)] = true;
            }
        }
    }

    public boolean isFailure(int status) {
        return status >= 0 && status < failing.length && failing[status];
    }

}
