package dev.reliant.sample.payment;

import java.util.Map;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

/**
 * Calls the payment provider over HTTP. Each call commits on the provider's side on its own. Every call is bounded
 * by the connect and read timeouts of {@link PaymentProperties}: a provider that hangs costs an order its read
 * timeout, never its thread.
 */
@Component
public class PaymentClient {

    private final RestClient http;

    private final PaymentProperties properties;

    private final PaymentProviderConnector provider;

    PaymentClient(RestClient.Builder http, PaymentProperties properties, PaymentProviderConnector provider,
            PaymentConfiguration.PaymentCredentials credentials) {
        this.http = http
            .requestFactory(ClientHttpRequestFactoryBuilder.detect()
                .build(HttpClientSettings.defaults()
                    .withTimeouts(properties.connectTimeout(), properties.readTimeout())))
            .defaultHeaders(headers -> headers.setBasicAuth(credentials.username(), credentials.password()))
            .build();
        this.properties = properties;
        this.provider = provider;
    }

    /** Charges {@code amountCents} under {@code chargeId}; a repeated call with the same id charges once. */
    public void charge(String chargeId, long amountCents, String reference, boolean providerFails) {
        try {
            http.post()
                .uri(baseUrl() + "/provider/charges")
                .headers(headers -> {
                    if (providerFails) {
                        headers.set(PaymentProviderController.FAULT_HEADER, "unavailable");
                    }
                })
                .body(Map.of("id", chargeId, "amountCents", amountCents, "reference",
                        (reference != null) ? reference : ""))
                .retrieve()
                .toBodilessEntity();
        }
        catch (RestClientResponseException ex) {
            if (ex.getStatusCode().isSameCodeAs(HttpStatus.PAYMENT_REQUIRED)) {
                throw new PaymentDeclinedException(amountCents);
            }
            throw new PaymentUnavailableException("The payment provider answered " + ex.getStatusCode(), ex);
        }
        catch (RestClientException ex) {
            throw new PaymentUnavailableException("The payment provider cannot be reached", ex);
        }
    }

    /**
     * Refunds a charge; refunding twice changes nothing, and refunding a charge that never happened makes the
     * provider refuse it if it arrives later.
     */
    public void refund(String chargeId) {
        http.post().uri(baseUrl() + "/provider/charges/{id}/refund", chargeId).retrieve().toBodilessEntity();
    }

    private String baseUrl() {
        return (properties.baseUrl() != null) ? properties.baseUrl().toString()
                : "http://127.0.0.1:" + provider.port();
    }
}
