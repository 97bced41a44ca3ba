package dev.reliant.sample.web;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets at most {@link ConcurrencyLimitProperties#maxRequests()} requests on the API's port run at once and sheds
 * the rest with 503 and {@code Retry-After}. Requests on other ports (the payment provider's) and exempt ones
 * (operations endpoints and health) are never limited: an order waiting for the provider holds a slot, so a
 * provider call that needed one would be shed by the very orders waiting for it.
 */
class ConcurrencyLimitFilter extends OncePerRequestFilter {

    private final Semaphore slots;

    private final ConcurrencyLimitProperties properties;

    private final IntSupplier apiPort;

    private final RequestMatcher exempt;

    ConcurrencyLimitFilter(ConcurrencyLimitProperties properties, IntSupplier apiPort, RequestMatcher exempt) {
        this.slots = new Semaphore(properties.maxRequests());
        this.properties = properties;
        this.apiPort = apiPort;
        this.exempt = exempt;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getLocalPort() != apiPort.getAsInt() || exempt.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean acquired;
        try {
            acquired = slots.tryAcquire(properties.maxWait().toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            ProblemResponses.write(request, response, HttpStatus.SERVICE_UNAVAILABLE, "overloaded",
                    "The server is handling as many requests as it can; try again later",
                    properties.retryAfter());
            return;
        }
        try {
            chain.doFilter(request, response);
        }
        finally {
            slots.release();
        }
    }
}
