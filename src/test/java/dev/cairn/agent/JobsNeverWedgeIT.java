package dev.cairn.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.config.ConfigLoader;
import dev.cairn.jobs.Job;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.eventbus.EventBus;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression (issue 9): a job whose start threw synchronously stayed RUNNING in the agent forever, and every
 * later request of the same kind "queued behind" it. Each job must end FAILED with the error instead.
 */
class JobsNeverWedgeIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path dir;

  private Agent start(String url) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String yaml = "repository:\n  path: " + dir.resolve("repo") + "\nhttp:\n  port: " + port + "\n"
        + "agent:\n  run_missed_on_start: false\n"
        + "databases:\n  - name: wedge\n    url: \"" + url + "\"\n    jobs: 1\n"
        + "    schedule: \"@yearly\"\n    max_age: 400d\n";
    return Agent.start(ConfigLoader.parse(yaml, "wedge.yaml", Map.of(), dir), Clock.systemUTC())
        .await(30, TimeUnit.SECONDS);
  }

  /** Polls the jobs verticle until the job has ended (bounded: a wedged job fails the test). */
  private static Job finished(EventBus bus, String jobId) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      Messages.JobList list = bus.<Messages.JobList>request(Addresses.JOBS_QUERY,
          new Messages.JobsQuery(null, false, 100)).await(10, TimeUnit.SECONDS).body();
      Job job = list.jobs().stream().filter(j -> j.id().equals(jobId)).findFirst().orElse(null);
      if (job != null && job.state() != Job.State.QUEUED && job.state() != Job.State.RUNNING) {
        return job;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("job " + jobId + " never ended: " + job);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  @Test
  void aBackupWhoseRootCertificateIsMissingFailsNamingTheFileAndTheNextRequestStarts() throws Exception {
    String db = PG.newDatabase("wedge_tls");
    Agent agent = start(PG.conninfo(db) + "?sslmode=verify-full&sslrootcert=/nonexistent/root.crt");
    try {
      EventBus bus = agent.vertx().eventBus();
      Messages.JobAccepted first = bus.<Messages.JobAccepted>request(Addresses.BACKUP_REQUEST,
          new Messages.BackupRequest("wedge", "manual")).await(10, TimeUnit.SECONDS).body();
      Job done = finished(bus, first.job().id());
      assertEquals(Job.State.FAILED, done.state(), done.toString());
      assertEquals("CONNINFO", done.errorCode(), done.toString());
      assertTrue(done.errorMessage().contains("/nonexistent/root.crt"), done.errorMessage());

      Messages.JobAccepted second = bus.<Messages.JobAccepted>request(Addresses.BACKUP_REQUEST,
          new Messages.BackupRequest("wedge", "manual")).await(10, TimeUnit.SECONDS).body();
      assertEquals("started", second.note(), "the failed job must not hold the database");
      assertEquals(Job.State.FAILED, finished(bus, second.job().id()).state());
    } finally {
      agent.stop("test").await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aVerifyOfABackupDeletedBeforeItStartsFailsAndTheNextRequestStarts() throws Exception {
    String db = PG.newDatabase("wedge_verify");
    Agent agent = start(PG.conninfo(db));
    try {
      EventBus bus = agent.vertx().eventBus();
      // The API checked that the backup existed; it is gone when the verify verticle starts the job.
      String gone = "wedge-20260101T000000Z";
      Messages.JobAccepted first = bus.<Messages.JobAccepted>request(Addresses.VERIFY_REQUEST,
          new Messages.VerifyRequest(gone, "api")).await(10, TimeUnit.SECONDS).body();
      Job done = finished(bus, first.job().id());
      assertEquals(Job.State.FAILED, done.state(), done.toString());
      assertEquals("BACKUP_NOT_FOUND", done.errorCode(), done.toString());
      assertTrue(done.errorMessage().contains(gone), done.errorMessage());

      Messages.JobAccepted second = bus.<Messages.JobAccepted>request(Addresses.VERIFY_REQUEST,
          new Messages.VerifyRequest(gone, "api")).await(10, TimeUnit.SECONDS).body();
      assertEquals("started", second.note(), "the failed verify must not be reported as still running");
    } finally {
      agent.stop("test").await(30, TimeUnit.SECONDS);
    }
  }
}
