package dev.reliant.test.idempotency;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Fires concurrent duplicates of one request (same {@code Idempotency-Key}, same body) at a running server, all
 * released at the same instant, and collects the answers:
 * <pre class="code">
 * probe.duplicates(20).header("Authorization", basic).post("/orders", json).assertHandledOnce();
 * </pre>
 * It speaks plain HTTP ({@code java.net.http}) to a real server, such as the one of
 * {@code @SpringBootTest(webEnvironment = RANDOM_PORT)}, so every filter of the application takes part. The
 * handler's own effect (one row, one charge) is the test's to check; {@link DuplicateResponses} checks what the
 * client saw.
 */
public final class IdempotencyProbe {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Supplier<URI> baseUri;

    private final int count;

    private final Map<String, String> headers;

    private final Duration timeout;

    IdempotencyProbe(Supplier<URI> baseUri) {
        this(baseUri, 10, Map.of(), Duration.ofSeconds(60));
    }

    private IdempotencyProbe(Supplier<URI> baseUri, int count, Map<String, String> headers, Duration timeout) {
        this.baseUri = baseUri;
        this.count = count;
        this.headers = headers;
        this.timeout = timeout;
    }

    /** A probe for the server at {@code baseUri}, such as {@code http://127.0.0.1:8080}. */
    public static IdempotencyProbe at(URI baseUri) {
        return new IdempotencyProbe(() -> baseUri);
    }

    /** A probe for the server at the address {@code baseUri} gives when duplicates are sent. */
    public static IdempotencyProbe at(Supplier<URI> baseUri) {
        return new IdempotencyProbe(baseUri);
    }

    /** A probe for the server on this machine's loopback interface at {@code port}. */
    public static IdempotencyProbe atPort(int port) {
        return at(URI.create("http://127.0.0.1:" + port));
    }

    /** This probe sending {@code count} duplicates (10 unless set); at least 2. */
    public IdempotencyProbe duplicates(int count) {
        if (count < 2) {
            throw new IllegalArgumentException("A duplicate takes at least 2 requests, not " + count);
        }
        return new IdempotencyProbe(baseUri, count, headers, timeout);
    }

    /**
     * This probe sending a header with every request, such as {@code Authorization}: keys are scoped by the
     * principal, so all duplicates must authenticate alike. An {@code Idempotency-Key} given here replaces the
     * random one.
     */
    public IdempotencyProbe header(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new IdempotencyProbe(baseUri, count, more, timeout);
    }

    /** This probe waiting at most {@code timeout} for each answer (60 s unless set). */
    public IdempotencyProbe timeout(Duration timeout) {
        return new IdempotencyProbe(baseUri, count, headers, timeout);
    }

    /** Sends the duplicates as {@code POST path} with a JSON body; {@code path} is resolved against the server. */
    public DuplicateResponses post(String path, String json) {
        return send("POST", path, json);
    }

    /** Sends the duplicates as {@code PUT path} with a JSON body. */
    public DuplicateResponses put(String path, String json) {
        return send("PUT", path, json);
    }

    /**
     * Sends the duplicates with {@code method}, a JSON body unless {@code json} is null, and a fresh random key
     * unless one was set as a header.
     */
    public DuplicateResponses send(String method, String path, String json) {
        String key = headers.getOrDefault("Idempotency-Key", UUID.randomUUID().toString());
        HttpRequest request = request(method, baseUri.get().resolve(path), json, key);
        ExecutorService threads = Executors.newFixedThreadPool(count);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sent.add(threads.submit(() -> {
                    start.await();
                    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                }));
            }
            start.countDown();
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> response : sent) {
                responses.add(response.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS));
            }
            return new DuplicateResponses(key, responses);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending duplicates", ex);
        }
        catch (ExecutionException ex) {
            throw new IllegalStateException("A duplicate could not be sent: " + ex.getCause(), ex.getCause());
        }
        catch (TimeoutException ex) {
            throw new AssertionError("A duplicate got no answer within " + timeout, ex);
        }
        finally {
            threads.shutdownNow();
        }
    }

    private HttpRequest request(String method, URI uri, String json, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .method(method, (json != null) ? HttpRequest.BodyPublishers.ofString(json)
                    : HttpRequest.BodyPublishers.noBody());
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        if (!headers.containsKey("Idempotency-Key")) {
            request.header("Idempotency-Key", key);
        }
        return request.build();
    }

}
