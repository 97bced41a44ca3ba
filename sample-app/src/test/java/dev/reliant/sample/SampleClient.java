package dev.reliant.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Calls the sample over real HTTP as one of its demo users (password: the name and {@code -pass}) or anonymously. */
final class SampleClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;

    private final String user;

    SampleClient(int port, String user) {
        this.port = port;
        this.user = user;
    }

    static SampleClient anonymous(int port) {
        return new SampleClient(port, null);
    }

    SampleClient as(String otherUser) {
        return new SampleClient(port, otherUser);
    }

    HttpResponse<String> putStock(String sku, int available) {
        return put("/inventory/" + sku, "{\"available\":" + available + "}");
    }

    HttpResponse<String> stock(String sku) {
        return send(request("/inventory/" + sku).GET());
    }

    HttpResponse<String> order(String key, String json, String... headers) {
        HttpRequest.Builder builder = request("/orders").header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            builder.header("Idempotency-Key", key);
        }
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return send(builder);
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> put(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    HttpResponse<String> delete(String path) {
        return send(request(path).DELETE());
    }

    static String orderJson(String sku, int quantity, long amountCents, String reference) {
        return "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + ",\"amountCents\":" + amountCents
                + ",\"reference\":\"" + reference + "\"}";
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60));
        if (user != null) {
            String credentials = user + ":" + user + "-pass";
            request.header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
