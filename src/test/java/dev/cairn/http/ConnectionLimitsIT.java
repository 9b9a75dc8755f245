package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle and slow clients cannot exhaust the agent: real sockets on loopback that send nothing are closed
 * after http.header_timeout, idle keep-alive ones after http.idle_timeout, and past http.max_connections
 * the longest idle is closed for the newcomer, with a log line naming the limit; health answers throughout.
 */
class ConnectionLimitsIT {
  @TempDir static Path dir;
  static ApiAgent api;
  static final List<String> log = Collections.synchronizedList(new ArrayList<>());
  static final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      log.add(r.getMessage() == null && r.getThrown() == null ? "" : String.valueOf(r.getMessage()));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeAll
  static void start() throws Exception {
    api = ApiAgent.start(dir, "api_conns", "  header_timeout: 1s\n  idle_timeout: 2s\n  max_connections: 10\n");
    Logger.getLogger("cairn.http").addHandler(capture); // after the start, which sets up logging anew
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
    Logger.getLogger("cairn.http").removeHandler(capture);
  }

  private static boolean limitLogged() {
    synchronized (log) {
      return log.stream().anyMatch(l -> l.contains("http.max_connections (10) is reached")
          && l.contains("closed the longest idle connection"));
    }
  }

  private static List<Socket> idleSockets(int n) throws Exception {
    List<Socket> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Socket s = new Socket("127.0.0.1", api.port);
      s.setSoTimeout(20_000); // a read waits for the server to close, failing the test if it never does
      out.add(s);
    }
    return out;
  }

  /** Blocks until the server closes the socket (end of stream); the read timeout fails the test otherwise. */
  private static long millisUntilClosed(Socket s, long since) throws Exception {
    InputStream in = s.getInputStream();
    while (in.read() != -1) {
      // drain whatever the server sent before closing
    }
    return (System.nanoTime() - since) / 1_000_000;
  }

  /** 200, or 503 while no backup has been taken yet: either way health answered. */
  private static void assertHealthAnswers() throws Exception {
    var r = api.send("GET", "/api/v1/health", null, null);
    assertTrue((r.statusCode() == 200 || r.statusCode() == 503) && r.body().contains("\"status\""), r.body());
  }

  @Test
  void socketsThatSendNothingAreClosedAfterTheHeaderTimeoutWhileHealthAnswers() throws Exception {
    long t0 = System.nanoTime();
    List<Socket> idle = idleSockets(5);
    assertHealthAnswers();
    for (Socket s : idle) {
      long ms = millisUntilClosed(s, t0);
      assertTrue(ms >= 900, "closed after " + ms + " ms, before the 1 s header timeout");
      s.close();
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (Socket s = idleSockets(1).get(0)) {
      s.getOutputStream().write(("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      long t0 = System.nanoTime();
      byte[] head = new byte[9];
      assertEquals(9, s.getInputStream().readNBytes(head, 0, 9));
      assertEquals("HTTP/1.1 ", new String(head, StandardCharsets.US_ASCII));
      long ms = millisUntilClosed(s, t0);
      assertTrue(ms >= 1900, "closed after " + ms + " ms, before the 2 s idle timeout");
    }
  }

  @Test
  void moreIdleConnectionsThanTheLimitStillLetHealthAnswerAndTheLogNamesTheLimit() throws Exception {
    List<Socket> idle = idleSockets(30);
    try {
      assertHealthAnswers();
      // the connections are spread over the event loops: health may answer on one before another has taken
      // its share of the idle connections and logged the limit
      long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (!limitLogged() && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertTrue(limitLogged(), log.toString());
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
  }
}
