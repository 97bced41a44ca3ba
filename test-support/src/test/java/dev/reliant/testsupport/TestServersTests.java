package dev.reliant.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestServersTests {

    @Test
    void schemasAreIsolatedFromEachOther() throws Exception {
        TestPostgres.Schema first = TestPostgres.newSchema();
        TestPostgres.Schema second = TestPostgres.newSchema();
        assertThat(first.name()).isNotEqualTo(second.name());
        try (HikariDataSource one = first.dataSource(); HikariDataSource two = second.dataSource()) {
            execute(one, "CREATE TABLE thing (id int)");
            execute(one, "INSERT INTO thing VALUES (1)");
            execute(two, "CREATE TABLE thing (id int)");
            assertThat(count(one)).isEqualTo(1);
            assertThat(count(two)).isZero();
            first.drop(one);
            second.drop(two);
        }
    }

    @Test
    void redisAnswersThroughTheProxyUntilCut() throws Exception {
        TestRedis.Server redis = TestRedis.server();
        try (TcpProxy proxy = TcpProxy.start(redis.host(), redis.port())) {
            assertThat(ping(proxy.port())).isEqualTo("+PONG");
            proxy.cut();
            assertThatThrownBy(() -> ping(proxy.port())).isInstanceOf(IOException.class);
            proxy.restore();
            assertThat(ping(proxy.port())).isEqualTo("+PONG");
        }
    }

    private static String ping(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[5];
            int read = in.readNBytes(reply, 0, 5);
            if (read < 5) {
                throw new IOException("connection closed");
            }
            return new String(reply, StandardCharsets.US_ASCII);
        }
    }

    private static void execute(HikariDataSource dataSource, String sql) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static int count(HikariDataSource dataSource) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*) FROM thing")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
