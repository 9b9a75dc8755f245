package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCommandTest {
  @TempDir Path tmp;

  /** Regression (issue 9): a busy port printed INTERNAL with a stack trace and exited 1. */
  @Test
  void aBusyHttpPortIsAConfigErrorNamingTheAddressAndExits2() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      Path config = Files.writeString(tmp.resolve("cairn.yaml"), """
          repository: {path: %s}
          http: {bind: 127.0.0.1, port: %d}
          agent: {run_missed_on_start: false}
          databases:
            - name: app
              url: host=127.0.0.1 port=1 dbname=app
              schedule: "@yearly"
              max_age: 400d
          """.formatted(tmp.resolve("repo"), port));
      CairnCli.Run r = CairnCli.run("agent", "--config", config);
      assertEquals(2, r.code(), r.toString());
      assertTrue(r.err().contains("cairn: CONFIG: http.bind 127.0.0.1:" + port + " is already in use"), r.err());
      assertTrue(r.err().contains("hint:") && r.err().contains("http.port"), r.err());
      assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }
  }
}
