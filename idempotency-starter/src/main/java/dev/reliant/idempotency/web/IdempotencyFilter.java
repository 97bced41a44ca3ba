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
import java.util.Optional;
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
import dev.reliant.idempotency.outcome.OutcomeConflictException;
import dev.reliant.idempotency.outcome.OutcomeLog;
import dev.reliant.idempotency.outcome.RequestTransactions;
import dev.reliant.idempotency.metrics.RequestOutcome;
import dev.reliant.idempotency.resilience.GuardedIdempotencyStore;
import dev.reliant.idempotency.resilience.IdempotencyStoreInputException;
import dev.reliant.idempotency.resilience.IdempotencyStoreUnavailableException;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Runs each idempotent request at most once per key. The first request claims the key (fenced by a fresh owner
 * token and a lease), runs the handler with its response held back, stores the response, then sends it; a retry
 * with the same key and the same request gets the stored response; a different request with the key gets 422, a
 * retry while the first still runs gets 409.
 * <p>
 * With a {@code DataSource}, the handler runs in one transaction that its own transactions join, and the outcome is
 * committed in it with the handler's writes: after a crash at any instant, either both exist (a retry that takes the
 * lapsed claim over finds the outcome and replays it) or neither does (the retry runs once). What the handler did
 * decides what is kept, never the class of a later exception: once it returned an answer, that answer is kept; when
 * it never started, or failed (threw, or answered 5xx) and its transaction rolled back, the key is released so that
 * the retry runs; while undoing a failed request's effects is unfinished, the key stays held.
 */
public class IdempotencyFilter extends OncePerRequestFilter {

    /** Set to {@code true} on replayed responses. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    /** HTTP date until which the key's response is kept, when {@code reliant.idempotency.advertise-expiry} is on. */
    public static final String EXPIRES_HEADER = "Idempotency-Key-Expires";

    /**
     * Request attribute in which the saga starter leaves the state of the request's saga once it ended; a saga still
     * being compensated, stuck, or left to recovery keeps the key held.
     */
    static final String SAGA_STATE_ATTRIBUTE = "dev.reliant.saga.state";

    private static final Set<String> UNSETTLED_SAGA_STATES = Set.of("RUNNING", "COMPENSATING", "STUCK");

    private static final int COMPLETE_ATTEMPTS = 4;

    private static final Duration COMPLETE_BACKOFF = Duration.ofMillis(50);

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

    private final RequestTransactions transactions;

    private final OutcomeLog outcomes;

    private final ObservationRegistry observations;

    private volatile HttpDate lastHttpDate;

    /**
     * @param heartbeat renews leases of running requests; {@code null} to run without renewal
     * @param transactions the transactions handlers run in; {@code null} without a {@code DataSource}
     * @param outcomes where outcomes are committed with the handler's writes; {@code null} without a
     * {@code DataSource}
     */
    public IdempotencyFilter(IdempotencyPolicyResolver policies, ScopeResolvers scopes,
            GuardedIdempotencyStore store, LeaseHeartbeat heartbeat, IdempotencyMetrics metrics, Settings settings,
            Clock clock, RequestTransactions transactions, OutcomeLog outcomes, ObservationRegistry observations) {
        this.transactions = transactions;
        this.observations = observations;
        this.outcomes = outcomes;
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
        if (scope.length() > settings.maxScopeLength()) {
            reject(request, response, RequestOutcome.INVALID_SCOPE, HttpStatus.BAD_REQUEST,
                    IdempotencyProblems.SCOPE_INVALID, "The request's scope (its user or tenant name) is longer than "
                            + settings.maxScopeLength() + " characters; the key was not used.",
                    null);
            return;
        }
        HttpServletRequest handlerRequest;
        byte[] fingerprintBody;
        MultipartParts.Result parts = MultipartParts.read(request, settings.maxRequestBytes());
        if (isForm(request)) {
            // The container (or a filter such as CSRF protection) may already have consumed a form body.
            handlerRequest = request;
            fingerprintBody = RequestFingerprinter.canonicalParameters(request.getParameterMap());
        }
        else if (parts instanceof MultipartParts.Parts multipart) {
            // The container parsed the body and keeps the parts for the handler, which gets the request as it came.
            handlerRequest = request;
            fingerprintBody = multipart.canonical();
        }
        else if (parts instanceof MultipartParts.OverLimit overLimit) {
            reject(request, response, RequestOutcome.TOO_LARGE, HttpStatus.CONTENT_TOO_LARGE,
                    IdempotencyProblems.REQUEST_TOO_LARGE, overLimit.container()
                            ? "The request is larger than this server accepts uploads to be; the key was not used."
                            : "The parts of an idempotent request may add up to at most "
                                    + settings.maxRequestBytes() + " bytes; the key was not used.",
                    null);
            return;
        }
        else if (parts instanceof MultipartParts.Malformed malformed) {
            log.debug("Unreadable multipart body of {} {}", request.getMethod(), request.getRequestURI(),
                    malformed.cause());
            reject(request, response, RequestOutcome.MALFORMED, HttpStatus.BAD_REQUEST,
                    IdempotencyProblems.REQUEST_MALFORMED, "The multipart body cannot be parsed; the key was not used.",
                    null);
            return;
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
        catch (IdempotencyStoreInputException ex) {
            log.debug("The idempotency store refused the key of {} {}", request.getMethod(), request.getRequestURI(),
                    ex);
            reject(request, response, RequestOutcome.INVALID_KEY, HttpStatus.BAD_REQUEST,
                    IdempotencyProblems.KEY_INVALID, "The " + settings.headerName()
                            + " (with the request's scope) cannot be stored; the key was not used.",
                    null);
            return;
        }
        if (claim instanceof ClaimResult.Existing existing) {
            answerExisting(request, response, existing.record(), fingerprint);
            return;
        }
        if (((ClaimResult.Claimed) claim).takeover() && outcomes != null
                && adoptDurableOutcome(request, response, storageKey, owner, fingerprint)) {
            return;
        }
        execute(handlerRequest, response, chain, policy, storageKey, owner, fingerprint);
    }

    /**
     * The key was taken over from a request whose lease lapsed (its process died, most likely). If that request's
     * outcome committed with its business writes, the retry gets it and the handler does not run again.
     *
     * @return whether the request was answered
     */
    private boolean adoptDurableOutcome(HttpServletRequest request, HttpServletResponse response, String storageKey,
            String owner, String fingerprint) throws IOException {
        Optional<IdempotencyRecord> durable;
        try {
            durable = outcomes.find(storageKey, owner);
        }
        catch (DataAccessException ex) {
            // Neither run nor release: the claim lapses after its lease and the next retry asks again.
            log.warn("The durable outcome of idempotency key {} could not be read; the request was not run",
                    storageKey, ex);
            reject(request, response, RequestOutcome.STORE_UNAVAILABLE, HttpStatus.SERVICE_UNAVAILABLE,
                    IdempotencyProblems.STORE_UNAVAILABLE,
                    "Whether this request already ran cannot be checked right now, so it was not processed.",
                    settings.unavailableRetryAfter());
            return true;
        }
        if (durable.isEmpty()) {
            return false;
        }
        adopt(storageKey, owner, durable.get());
        answerExisting(request, response, durable.get(), fingerprint);
        return true;
    }

    /** Puts a committed outcome back in the store, so that later retries are answered from the fast path. */
    private void adopt(String storageKey, String owner, IdempotencyRecord durable) {
        Duration remaining = Duration.between(clock.instant(), durable.expiresAt());
        if (remaining.isNegative() || remaining.isZero()) {
            return;
        }
        try {
            store.complete(storageKey, owner, durable.fingerprint(), durable.state(), durable.response(), remaining);
        }
        catch (IdempotencyStoreUnavailableException ex) {
            log.debug("A committed outcome could not be copied back to the idempotency store", ex);
        }
    }

    private void execute(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
            IdempotencyPolicy policy, String storageKey, String owner, String fingerprint)
            throws IOException, ServletException {
        LeaseHeartbeat.Beat beat = (heartbeat != null) ? heartbeat.start(storageKey, owner, policy.lease()) : null;
        BufferedResponse buffered = new BufferedResponse(response, settings.maxStoredResponseBytes());
        HandlerInvocation invocation = HandlerInvocation.track(request);
        Run run = new Run(request, buffered, policy, storageKey, owner, fingerprint, beat);
        Throwable failure = null;
        boolean send;
        try {
            RequestTransactions.RequestTransaction transaction = (transactions != null) ? transactions.begin() : null;
            try {
                chain.doFilter(request, buffered);
            }
            catch (IOException | ServletException | RuntimeException | Error ex) {
                failure = ex;
            }
            send = settle(run, invocation, transaction, failure);
        }
        finally {
            stop(beat);
        }
        if (failure != null) {
            rethrow(failure);
        }
        if (!send || buffered.streamed()) {
            // A streamed response went out as the handler wrote it: nothing is left to send.
            return;
        }
        if (run.expires != null && settings.advertiseExpiry()) {
            response.setHeader(EXPIRES_HEADER, httpDate(run.expires));
        }
        if (buffered.errorSent()) {
            response.sendError(buffered.getStatus(), buffered.errorMessage());
        }
        else {
            buffered.copyBodyToResponse();
        }
    }

    /**
     * Decides from what the handler did what its run leaves behind, ends the request's transaction accordingly and
     * records the outcome: kept (committed with the business writes) once the handler returned an answer; released
     * when it never started, or failed and its transaction rolled back; held while undoing its effects is unfinished.
     *
     * @return whether the buffered response is to be sent; otherwise a problem was written instead
     */
    private boolean settle(Run run, HandlerInvocation invocation, RequestTransactions.RequestTransaction transaction,
            Throwable failure) throws IOException {
        HttpServletRequest request = run.request;
        int status = run.buffered.getStatus();
        if (request.isAsyncStarted()) {
            // Only reachable through a path rule over a streaming endpoint (annotated ones fail at startup).
            log.error("Idempotent request {} {} started asynchronous processing; its response cannot be stored, "
                    + "and retries of its key will get a problem", request.getMethod(), request.getRequestURI());
            if (transaction != null) {
                transaction.commit();
            }
            finish(run, RecordState.NOT_STORED, new StoredResponse(status, List.of(), new byte[0]));
            return true;
        }
        boolean answered = invocation.state() == HandlerInvocation.State.RETURNED && failure == null
                && (invocation.failedAfterReturn() || !releasing(status));
        if (answered && (transaction == null || !transaction.rollbackOnly())) {
            return commit(run, transaction);
        }
        if (transaction != null) {
            rollback(transaction);
        }
        Object saga = request.getAttribute(SAGA_STATE_ATTRIBUTE);
        if (saga != null && UNSETTLED_SAGA_STATES.contains(saga.toString())) {
            hold(run, status, saga.toString());
            return false;
        }
        boolean neverStarted = invocation.state() == HandlerInvocation.State.NOT_STARTED;
        if (failure != null || releasing(status) || (neverStarted && !settings.storeRejectedBeforeHandler())) {
            release(run.storageKey, run.owner, run.beat);
        }
        else {
            // The handler refused the request (a 4xx it threw) and nothing of it committed: replay the refusal.
            finish(run, run.recordState(), run.storedResponse());
        }
        return true;
    }

    private boolean releasing(int status) {
        return status >= 500 || settings.unstoredStatuses().contains(status);
    }

    /** Commits the handler's writes together with its outcome, then records the outcome in the store. */
    private boolean commit(Run run, RequestTransactions.RequestTransaction transaction) throws IOException {
        RecordState state = run.recordState();
        StoredResponse stored = run.storedResponse();
        if (transaction != null) {
            try {
                transaction.flush();
            }
            catch (RuntimeException ex) {
                // Writes the handler left pending (an ORM inserts at flush) were refused: the handler failed, and
                // nothing of it will commit, so its key is released like that of a handler that threw.
                rollback(transaction);
                release(run.storageKey, run.owner, run.beat);
                if (!run.target().isCommitted()) {
                    run.resetResponse();
                }
                throw ex;
            }
            try {
                if (transaction.used()) {
                    outcomes.record(run.storageKey, run.fingerprint, state, stored, run.policy.retention());
                }
            }
            catch (OutcomeConflictException ex) {
                rollback(transaction);
                return answerFromDurableOutcome(run);
            }
            catch (RuntimeException ex) {
                rollback(transaction);
                release(run.storageKey, run.owner, run.beat);
                log.warn("The outcome of idempotent request {} {} could not be written; its changes were rolled back",
                        run.request.getMethod(), run.request.getRequestURI(), ex);
                problem(run, HttpStatus.SERVICE_UNAVAILABLE, IdempotencyProblems.STORE_UNAVAILABLE,
                        "The request's changes could not be committed, so nothing took effect.",
                        settings.unavailableRetryAfter());
                return false;
            }
            try {
                transaction.commit();
            }
            catch (RuntimeException ex) {
                // Committed or not, nobody knows: the claim is left to lapse, and the retry that takes it over
                // finds the outcome if the commit went through.
                metrics.request(RequestOutcome.EXECUTED);
                log.error("The commit of idempotent request {} {} failed; a retry after its lease gets its outcome "
                        + "if it committed, or runs it", run.request.getMethod(), run.request.getRequestURI(), ex);
                problem(run, HttpStatus.SERVICE_UNAVAILABLE, IdempotencyProblems.OUTCOME_UNKNOWN,
                        "Whether the request's changes were committed is not known; retry to get its outcome.",
                        run.policy.lease());
                return false;
            }
        }
        finish(run, state, stored);
        return true;
    }

    /** Another run of the request committed first; this run rolled back and answers with that outcome. */
    private boolean answerFromDurableOutcome(Run run) throws IOException {
        if (run.target().isCommitted()) {
            log.warn("Idempotent request {} {} rolled back because another run of its key committed first, but its "
                    + "response was already committed to the client and stands", run.request.getMethod(),
                    run.request.getRequestURI());
            settleBehindSentResponse(run);
            return false;
        }
        run.resetResponse();
        if (!adoptDurableOutcome(run.request, run.target(), run.storageKey, run.owner,
                run.fingerprint)) {
            release(run.storageKey, run.owner, run.beat);
            problem(run, HttpStatus.CONFLICT, IdempotencyProblems.REQUEST_IN_PROGRESS,
                    "Another request with this " + settings.headerName() + " is finishing.",
                    settings.inFlightRetryAfter());
        }
        return false;
    }

    /** What {@link #answerFromDurableOutcome} does with the key, for a run that can no longer answer. */
    private void settleBehindSentResponse(Run run) {
        Optional<IdempotencyRecord> durable;
        try {
            durable = outcomes.find(run.storageKey, run.owner);
        }
        catch (DataAccessException ex) {
            log.warn("The durable outcome of idempotency key {} could not be read; its claim lapses after the lease",
                    run.storageKey, ex);
            return;
        }
        if (durable.isPresent()) {
            adopt(run.storageKey, run.owner, durable.get());
        }
        else {
            release(run.storageKey, run.owner, run.beat);
        }
    }

    /** Keeps the key from running again while the request's effects are not known to be undone. */
    private void hold(Run run, int status, String sagaState) throws IOException {
        StoredResponse stored = new StoredResponse(status, List.of(), new byte[0]);
        finish(run, RecordState.UNSETTLED, stored);
        log.warn("Idempotent request {} {} failed and its saga is {}; its key is held until an operator settles it",
                run.request.getMethod(), run.request.getRequestURI(), sagaState);
        problem(run, HttpStatus.CONFLICT, IdempotencyProblems.COMPENSATION_PENDING,
                compensationPending(status), settings.inFlightRetryAfter());
    }

    private String compensationPending(int status) {
        return "The request with this " + settings.headerName() + " failed (status " + status
                + ") and undoing its effects has not finished; it will not be processed again.";
    }

    private void problem(Run run, HttpStatus status, java.net.URI type, String detail, Duration retryAfter)
            throws IOException {
        if (run.target().isCommitted()) {
            // A response larger than max-stored-response-size streams to the client as the handler writes it.
            log.warn("Idempotent request {} {} was to be answered with {} ({}), but its response was already "
                    + "committed to the client and stands", run.request.getMethod(), run.request.getRequestURI(),
                    status.value(), type);
            return;
        }
        run.resetResponse();
        ProblemWriter.write(run.request, run.target(), status, type, detail, retryAfter);
    }

    private static void rollback(RequestTransactions.RequestTransaction transaction) {
        try {
            transaction.rollback();
        }
        catch (RuntimeException ex) {
            log.warn("Rolling back an idempotent request's transaction failed", ex);
        }
    }

    /**
     * Stores the outcome, retrying a store that fails for a moment while the heartbeat keeps the claim; records its
     * expiry in {@code run}.
     */
    private void finish(Run run, RecordState state, StoredResponse response) {
        Duration retention = run.policy.retention();
        IdempotencyStoreUnavailableException failure = null;
        for (int attempt = 0; attempt < COMPLETE_ATTEMPTS; attempt++) {
            if (attempt > 0 && !pause(COMPLETE_BACKOFF.multipliedBy(1L << (attempt - 1)))) {
                break;
            }
            try {
                if (store.complete(run.storageKey, run.owner, run.fingerprint, state, response, retention)) {
                    metrics.request(RequestOutcome.EXECUTED);
                    run.expires = clock.instant().plus(retention);
                }
                else {
                    leaseLost(run.storageKey, run.beat);
                }
                return;
            }
            catch (IdempotencyStoreUnavailableException ex) {
                failure = ex;
            }
        }
        metrics.request(RequestOutcome.EXECUTED);
        log.error("The outcome of an idempotent request could not be stored; its key stays claimed until the lease "
                + "runs out, after which a retry gets the outcome committed with the request's changes, or runs "
                + "again if the handler changed nothing in the database", failure);
    }

    private static boolean pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
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
            case UNSETTLED -> reject(request, response, RequestOutcome.CONFLICT, HttpStatus.CONFLICT,
                    IdempotencyProblems.COMPENSATION_PENDING, compensationPending(record.response().status()),
                    settings.inFlightRetryAfter());
            case COMPLETED -> replay(response, record);
        }
    }

    /** A replay as an observation, so Boot's tracing shows that the request was answered from the store. */
    private void replay(HttpServletResponse response, IdempotencyRecord record) throws IOException {
        Observation.createNotStarted("reliant.idempotency.replay", observations)
            .contextualName("idempotency replay")
            .lowCardinalityKeyValue("status", Integer.toString(record.response().status()))
            .observeChecked(() -> writeReplay(response, record));
    }

    private void writeReplay(HttpServletResponse response, IdempotencyRecord record) throws IOException {
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

    /** The HTTP date of {@code instant}; the text of the last second asked for is kept, as most requests ask again. */
    private String httpDate(Instant instant) {
        HttpDate last = lastHttpDate;
        long second = instant.getEpochSecond();
        if (last == null || last.second() != second) {
            last = new HttpDate(second, DateTimeFormatter.RFC_1123_DATE_TIME
                .format(Instant.ofEpochSecond(second).atOffset(ZoneOffset.UTC)));
            lastHttpDate = last;
        }
        return last.text();
    }

    private record HttpDate(long second, String text) {
    }

    private static void rethrow(Throwable failure) throws IOException, ServletException {
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof ServletException servlet) {
            throw servlet;
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw (Error) failure;
    }

    /** One claimed request on its way through the handler. */
    private final class Run {

        final HttpServletRequest request;

        final BufferedResponse buffered;

        final IdempotencyPolicy policy;

        final String storageKey;

        final String owner;

        final String fingerprint;

        final LeaseHeartbeat.Beat beat;

        Instant expires;

        Run(HttpServletRequest request, BufferedResponse buffered, IdempotencyPolicy policy, String storageKey,
                String owner, String fingerprint, LeaseHeartbeat.Beat beat) {
            this.request = request;
            this.buffered = buffered;
            this.policy = policy;
            this.storageKey = storageKey;
            this.owner = owner;
            this.fingerprint = fingerprint;
            this.beat = beat;
        }

        boolean storable() {
            return !buffered.streamed();
        }

        RecordState recordState() {
            return storable() ? RecordState.COMPLETED : RecordState.NOT_STORED;
        }

        StoredResponse storedResponse() {
            return new StoredResponse(buffered.getStatus(), replayableHeaders(buffered),
                    storable() ? buffered.getContentAsByteArray() : new byte[0]);
        }

        HttpServletResponse target() {
            return (HttpServletResponse) buffered.getResponse();
        }

        /** Drops what the handler wrote, headers included, so that a problem or a replay goes out alone. */
        void resetResponse() {
            buffered.resetBuffer();
            target().reset();
        }
    }

    /**
     * The filter's fixed settings.
     *
     * @param headerName the key header
     * @param maxKeyLength longest key
     * @param maxScopeLength longest scope
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
    public record Settings(String headerName, int maxKeyLength, int maxScopeLength, long maxRequestBytes, long maxStoredResponseBytes,
            List<String> replayedHeaders, Set<Integer> unstoredStatuses, boolean storeRejectedBeforeHandler,
            boolean failOpen, Duration inFlightRetryAfter, Duration unavailableRetryAfter, boolean advertiseExpiry) {
    }
}
