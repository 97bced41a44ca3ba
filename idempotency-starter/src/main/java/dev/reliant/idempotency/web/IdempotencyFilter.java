package dev.reliant.idempotency.web;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import dev.reliant.idempotency.ClaimResult;
import dev.reliant.idempotency.IdempotencyProblems;
import dev.reliant.idempotency.IdempotencyRecord;
import dev.reliant.idempotency.RecordState;
import dev.reliant.idempotency.StoredResponse;
import dev.reliant.idempotency.metrics.IdempotencyMetrics;
import dev.reliant.idempotency.metrics.RequestOutcome;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.idempotency.resilience.IdempotencyStoreUnavailableException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Runs each idempotent request at most once per key. The first request claims the key (fenced by a fresh owner
 * token and a lease), runs the handler with its response held back, stores the response, then sends it; a retry
 * with the same key and the same request gets the stored response; a different request with the key gets 422, a
 * retry while the first still runs gets 409. Answers that say the request did not really happen (5xx, thrown
 * exceptions, security and size rejections, arguments Spring MVC refused before the handler ran) release the key
 * instead, so the client's retry runs.
 */
public class IdempotencyFilter extends OncePerRequestFilter {

    /** Set to {@code true} on replayed responses. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    /** HTTP date until which the key's response is kept, when {@code reliant.idempotency.advertise-expiry} is on. */
    public static final String EXPIRES_HEADER = "Idempotency-Key-Expires";

    /** Pseudo-header (never valid in HTTP) that marks a stored response as sent through {@code sendError}. */
    private static final String SEND_ERROR = ":send-error";

    private static final Set<String> BUILT_IN_REPLAYED_HEADERS = Set.of(HttpHeaders.LOCATION, HttpHeaders.ETAG,
            HttpHeaders.CONTENT_TYPE, HttpHeaders.CONTENT_ENCODING, HttpHeaders.CONTENT_LANGUAGE,
            HttpHeaders.CONTENT_DISPOSITION, HttpHeaders.CACHE_CONTROL, HttpHeaders.LAST_MODIFIED, HttpHeaders.LINK,
            HttpHeaders.VARY);

    private static final Logger log = LoggerFactory.getLogger(IdempotencyFilter.class);

    private final IdempotencyPolicyResolver policies;

    private final ScopeResolvers scopes;

    private final GuardedIdempotencyStore store;

    private final LeaseHeartbeat heartbeat;

    private final IdempotencyMetrics metrics;

    private final Settings settings;

    private final IdempotencyKeyParser keyParser;

    private final RequestFingerprinter fingerprinter = new RequestFingerprinter();

    private final Set<String> replayedHeaders;

    private final Clock clock;

    /**
     * @param heartbeat renews leases of running requests; {@code null} to run without renewal
     */
    public IdempotencyFilter(IdempotencyPolicyResolver policies, ScopeResolvers scopes,
            GuardedIdempotencyStore store, LeaseHeartbeat heartbeat, IdempotencyMetrics metrics, Settings settings,
            Clock clock) {
        this.policies = policies;
        this.scopes = scopes;
        this.store = store;
        this.heartbeat = heartbeat;
        this.metrics = metrics;
        this.settings = settings;
        this.clock = clock;
        this.keyParser = new IdempotencyKeyParser(settings.maxKeyLength());
        this.replayedHeaders = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        this.replayedHeaders.addAll(BUILT_IN_REPLAYED_HEADERS);
        this.replayedHeaders.addAll(settings.replayedHeaders());
        this.replayedHeaders.remove(HttpHeaders.SET_COOKIE);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        IdempotencyPolicy policy = policies.resolve(request);
        if (policy == null) {
            chain.doFilter(request, response);
            return;
        }
        IdempotencyKeyParser.Result parsed = keyParser.parse(request.getHeaders(settings.headerName()));
        if (parsed instanceof IdempotencyKeyParser.Missing) {
            if (!policy.required()) {
                chain.doFilter(request, response);
                return;
            }
            reject(request, response, RequestOutcome.MISSING_KEY, HttpStatus.BAD_REQUEST,
                    IdempotencyProblems.KEY_MISSING,
                    "This endpoint requires an " + settings.headerName() + " header.", null);
            return;
        }
        if (parsed instanceof IdempotencyKeyParser.Invalid invalid) {
            reject(request, response, RequestOutcome.INVALID_KEY, HttpStatus.BAD_REQUEST,
                    IdempotencyProblems.KEY_INVALID,
                    "The " + settings.headerName() + " header is invalid: " + invalid.reason() + ".", null);
            return;
        }
        String key = ((IdempotencyKeyParser.Key) parsed).value();
        String scope = scopes.resolve(request, policy.scope());
        if (scope == null) {
            reject(request, response, RequestOutcome.MISSING_SCOPE, HttpStatus.BAD_REQUEST,
                    IdempotencyProblems.SCOPE_MISSING, "The request does not say whose key this is.", null);
            return;
        }
        HttpServletRequest handlerRequest;
        byte[] fingerprintBody;
        if (isForm(request)) {
            // The container (or a filter such as CSRF protection) may already have consumed a form body.
            handlerRequest = request;
            fingerprintBody = RequestFingerprinter.canonicalParameters(request.getParameterMap());
        }
        else {
            fingerprintBody = CachedBodyRequest.readBody(request, settings.maxRequestBytes());
            if (fingerprintBody == null) {
                reject(request, response, RequestOutcome.TOO_LARGE, HttpStatus.CONTENT_TOO_LARGE,
                        IdempotencyProblems.REQUEST_TOO_LARGE, "Idempotent requests may carry at most "
                                + settings.maxRequestBytes() + " bytes; the key was not used.",
                        null);
                return;
            }
            handlerRequest = new CachedBodyRequest(request, fingerprintBody);
        }
        String fingerprint = fingerprinter.fingerprint(request, fingerprintBody, policy);
        String storageKey = ScopeResolvers.storageKey(scope, key);
        String owner = ownerToken();

        ClaimResult claim;
        try {
            claim = store.claim(storageKey, owner, fingerprint, policy.lease(), policy.retention());
        }
        catch (IdempotencyStoreUnavailableException ex) {
            storeUnavailable(handlerRequest, response, chain, ex);
            return;
        }
        if (claim instanceof ClaimResult.Existing existing) {
            answerExisting(request, response, existing.record(), fingerprint);
            return;
        }
        execute(handlerRequest, response, chain, policy, storageKey, owner, fingerprint);
    }

    private void execute(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
            IdempotencyPolicy policy, String storageKey, String owner, String fingerprint)
            throws IOException, ServletException {
        LeaseHeartbeat.Beat beat = (heartbeat != null) ? heartbeat.start(storageKey, owner, policy.lease()) : null;
        BufferedResponse buffered = new BufferedResponse(response);
        try {
            chain.doFilter(request, buffered);
        }
        catch (IOException | ServletException | RuntimeException | Error ex) {
            stop(beat);
            release(storageKey, owner, beat);
            throw ex;
        }
        stop(beat);
        int status = buffered.getStatus();
        if (request.isAsyncStarted()) {
            // Only reachable through a path rule over a streaming endpoint (annotated ones fail at startup).
            log.error("Idempotent request {} {} started asynchronous processing; its response cannot be stored, "
                    + "and retries of its key will get a problem", request.getMethod(), request.getRequestURI());
            finish(storageKey, owner, fingerprint, RecordState.NOT_STORED,
                    new StoredResponse(status, List.of(), new byte[0]), policy.retention(), beat);
            return;
        }
        if (mustRelease(request, status)) {
            release(storageKey, owner, beat);
        }
        else {
            byte[] body = buffered.getContentAsByteArray();
            List<Map.Entry<String, String>> headers = replayableHeaders(buffered);
            boolean storable = body.length <= settings.maxStoredResponseBytes();
            StoredResponse stored = new StoredResponse(status, headers, storable ? body : new byte[0]);
            Instant expires = finish(storageKey, owner, fingerprint,
                    storable ? RecordState.COMPLETED : RecordState.NOT_STORED, stored, policy.retention(), beat);
            if (expires != null && settings.advertiseExpiry()) {
                response.setHeader(EXPIRES_HEADER, httpDate(expires));
            }
        }
        if (buffered.errorSent()) {
            response.sendError(status, buffered.errorMessage());
        }
        else {
            buffered.copyBodyToResponse();
        }
    }

    private boolean mustRelease(HttpServletRequest request, int status) {
        return status >= 500 || settings.unstoredStatuses().contains(status)
                || (!settings.storeRejectedBeforeHandler() && HandlerFailureRecorder.rejectedBeforeHandler(request));
    }

    /** Stores the outcome; returns its expiry, or {@code null} when it could not be stored. */
    private Instant finish(String storageKey, String owner, String fingerprint, RecordState state,
            StoredResponse response, Duration retention, LeaseHeartbeat.Beat beat) {
        try {
            if (store.complete(storageKey, owner, fingerprint, state, response, retention)) {
                metrics.request(RequestOutcome.EXECUTED);
                return clock.instant().plus(retention);
            }
            leaseLost(storageKey, beat);
        }
        catch (IdempotencyStoreUnavailableException ex) {
            metrics.request(RequestOutcome.EXECUTED);
            log.error("The response of an idempotent request could not be stored; its key stays claimed until the "
                    + "lease runs out, after which a retry runs again", ex);
        }
        return null;
    }

    private void release(String storageKey, String owner, LeaseHeartbeat.Beat beat) {
        try {
            if (store.release(storageKey, owner)) {
                metrics.request(RequestOutcome.EXECUTED);
            }
            else {
                leaseLost(storageKey, beat);
            }
        }
        catch (IdempotencyStoreUnavailableException ex) {
            metrics.request(RequestOutcome.EXECUTED);
            log.warn("An idempotency key could not be released; retries get 409 until its lease runs out", ex);
        }
    }

    private void leaseLost(String storageKey, LeaseHeartbeat.Beat beat) {
        metrics.request(RequestOutcome.LEASE_LOST);
        log.warn("Idempotent request for key {} finished after its claim had passed to another request{}; its "
                + "outcome was not recorded", storageKey,
                (beat != null && beat.lost()) ? " (a lease renewal was refused)" : " (its lease ran out)");
    }

    private void answerExisting(HttpServletRequest request, HttpServletResponse response, IdempotencyRecord record,
            String fingerprint) throws IOException {
        if (!record.fingerprint().equals(fingerprint)) {
            reject(request, response, RequestOutcome.MISMATCH, HttpStatus.UNPROCESSABLE_CONTENT,
                    IdempotencyProblems.KEY_REUSED,
                    "This " + settings.headerName() + " was already used for a different request.", null);
            return;
        }
        switch (record.state()) {
            case IN_PROGRESS -> reject(request, response, RequestOutcome.CONFLICT, HttpStatus.CONFLICT,
                    IdempotencyProblems.REQUEST_IN_PROGRESS,
                    "A request with this " + settings.headerName() + " is still being processed.",
                    settings.inFlightRetryAfter());
            case NOT_STORED -> reject(request, response, RequestOutcome.NOT_REPLAYABLE, HttpStatus.GONE,
                    IdempotencyProblems.RESPONSE_NOT_STORED,
                    "The request with this " + settings.headerName() + " was processed (status "
                            + record.response().status()
                            + "), but its response was too large to keep; it will not be processed again.",
                    null);
            case COMPLETED -> replay(response, record);
        }
    }

    private void replay(HttpServletResponse response, IdempotencyRecord record) throws IOException {
        StoredResponse stored = record.response();
        response.setStatus(stored.status());
        String errorMessage = null;
        boolean errorSent = false;
        for (Map.Entry<String, String> header : stored.headers()) {
            if (SEND_ERROR.equals(header.getKey())) {
                errorSent = true;
                errorMessage = header.getValue().isEmpty() ? null : header.getValue();
            }
            else if (HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(header.getKey())) {
                response.setContentType(header.getValue());
            }
            else {
                response.addHeader(header.getKey(), header.getValue());
            }
        }
        response.setHeader(REPLAYED_HEADER, "true");
        if (settings.advertiseExpiry()) {
            response.setHeader(EXPIRES_HEADER, httpDate(record.expiresAt()));
        }
        metrics.request(RequestOutcome.REPLAYED);
        if (errorSent) {
            response.sendError(stored.status(), errorMessage);
            return;
        }
        response.setContentLength(stored.body().length);
        response.getOutputStream().write(stored.body());
    }

    private List<Map.Entry<String, String>> replayableHeaders(BufferedResponse response) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String name : replayedHeaders) {
            if (HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name)) {
                if (response.getContentType() != null) {
                    headers.add(Map.entry(HttpHeaders.CONTENT_TYPE, response.getContentType()));
                }
                continue;
            }
            Collection<String> values = response.getHeaders(name);
            for (String value : values) {
                headers.add(Map.entry(name, value));
            }
        }
        if (response.errorSent()) {
            headers.add(Map.entry(SEND_ERROR, (response.errorMessage() != null) ? response.errorMessage() : ""));
        }
        return headers;
    }

    private void storeUnavailable(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
            IdempotencyStoreUnavailableException ex) throws IOException, ServletException {
        metrics.request(RequestOutcome.STORE_UNAVAILABLE);
        if (settings.failOpen()) {
            log.warn("Idempotency store unavailable; running {} {} without idempotency protection",
                    request.getMethod(), request.getRequestURI(), ex);
            chain.doFilter(request, response);
            return;
        }
        log.warn("Idempotency store unavailable; rejecting {} {}", request.getMethod(), request.getRequestURI(), ex);
        ProblemWriter.write(request, response, HttpStatus.SERVICE_UNAVAILABLE, IdempotencyProblems.STORE_UNAVAILABLE,
                "Idempotency cannot be guaranteed right now, so the request was not processed.",
                settings.unavailableRetryAfter());
    }

    private void reject(HttpServletRequest request, HttpServletResponse response, RequestOutcome outcome,
            HttpStatus status, java.net.URI type, String detail, Duration retryAfter) throws IOException {
        metrics.request(outcome);
        ProblemWriter.write(request, response, status, type, detail, retryAfter);
    }

    private static void stop(LeaseHeartbeat.Beat beat) {
        if (beat != null) {
            beat.stop();
        }
    }

    private static boolean isForm(HttpServletRequest request) {
        String contentType = request.getContentType();
        if (contentType == null) {
            return false;
        }
        try {
            return MediaType.APPLICATION_FORM_URLENCODED.includes(MediaType.parseMediaType(contentType));
        }
        catch (IllegalArgumentException ex) {
            return false;
        }
    }

    /**
     * 128 random bits as 32 hex characters. The token fences a claim against its own stale owner, it guards no
     * secret, so a fast thread-local generator serves (a SecureRandom would serialise requests on its lock).
     */
    private static String ownerToken() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
    }

    private static String httpDate(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }

    /**
     * The filter's fixed settings.
     *
     * @param headerName the key header
     * @param maxKeyLength longest key
     * @param maxRequestBytes largest request body
     * @param maxStoredResponseBytes largest stored response body
     * @param replayedHeaders extra replayed response headers
     * @param unstoredStatuses statuses that release the key
     * @param storeRejectedBeforeHandler whether MVC's own 4xx before the handler are stored
     * @param failOpen whether to run requests unprotected when the store is down
     * @param inFlightRetryAfter Retry-After of 409
     * @param unavailableRetryAfter Retry-After of 503
     * @param advertiseExpiry whether to send {@value #EXPIRES_HEADER}
     */
    public record Settings(String headerName, int maxKeyLength, long maxRequestBytes, long maxStoredResponseBytes,
            List<String> replayedHeaders, Set<Integer> unstoredStatuses, boolean storeRejectedBeforeHandler,
            boolean failOpen, Duration inFlightRetryAfter, Duration unavailableRetryAfter, boolean advertiseExpiry) {
    }
}
