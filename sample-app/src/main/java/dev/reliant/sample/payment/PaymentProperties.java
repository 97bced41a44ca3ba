package dev.reliant.sample.payment;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the sample reaches its payment provider, and how the stand-in provider listens.
 *
 * @param baseUrl where the provider is; by default the stand-in provider on its own connector in this process
 * @param username the name the API presents to the provider
 * @param password the API's password at the provider; when unset, a random one chosen at each start, known only to
 * this process's client and stand-in provider
 * @param connectTimeout how long the client waits to connect to the provider
 * @param readTimeout how long the client waits for the provider's answer before it treats the provider as
 * unavailable
 * @param provider the stand-in provider's connector
 */
@ConfigurationProperties("sample.payment")
public record PaymentProperties(URI baseUrl, @DefaultValue("payments") String username, String password,
        @DefaultValue("2s") Duration connectTimeout, @DefaultValue("5s") Duration readTimeout,
        @DefaultValue Provider provider) {

    /**
     * The stand-in provider's own Tomcat connector: its own port on the loopback interface and its own worker
     * threads, so that no load on the API can keep the provider from answering the API's calls.
     *
     * @param port the port; {@code 0} picks a free one at each start
     * @param maxThreads the provider's worker threads
     */
    public record Provider(@DefaultValue("0") int port, @DefaultValue("50") int maxThreads) {
    }
}
