package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot consistency under load: transfers move money between two tables, each in one transaction,
 * keeping the total constant. Parallel COPY streams that did not share one snapshot would see a transfer
 * half done; a restored total equal to the invariant shows they did.
 */
class ConsistencyIT {
  private static final PgCluster PG = PgCluster.shared();
  private static final int ACCOUNTS = 20_000;
  private static final long TOTAL = ACCOUNTS * 2L * 1000;

  @TempDir Path repo;

  @Test
  void backupTakenDuringTransfersKeepsTheSumInvariant() throws Exception {
    String db = PG.newDatabase("ledger");
    PG.psql(db, "CREATE TABLE checking (id int PRIMARY KEY, balance bigint NOT NULL, pad text);"
        + " CREATE TABLE savings (id int PRIMARY KEY, balance bigint NOT NULL, pad text);"
        + " INSERT INTO checking SELECT g, 1000, repeat(md5(g::text), 4) FROM generate_series(1, " + ACCOUNTS + ") g;"
        + " INSERT INTO savings SELECT g, 1000, repeat(md5(g::text), 4) FROM generate_series(1, " + ACCOUNTS + ") g;");

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong transfers = new AtomicLong();
    Thread[] load = new Thread[2];
    for (int i = 0; i < load.length; i++) {
      load[i] = new Thread(() -> transfer(db, stop, transfers), "transfers-" + i);
      load[i].start();
    }
    try {
      while (transfers.get() < 200) {
        Thread.sleep(10);
      }
      long before = transfers.get();
      // Small parts and chunks: many COPY statements spread over time, each on its own worker connection.
      CairnCli.Run backup = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", repo, "--jobs", 3,
          "--split-size", "256k", "--chunk-size", "64k");
      assertEquals(0, backup.code(), backup.toString());
      assertTrue(transfers.get() > before, "transfers must run while the backup runs");
      stop.set(true);
      for (Thread t : load) {
        t.join();
      }

      String dst = db + "_restored";
      CairnCli.Run restore = CairnCli.run("restore", backup.lastLine(), "--repo", repo, "--db", PG.conninfo(dst),
          "--create");
      assertEquals(0, restore.code(), restore.toString());
      long sum = Long.parseLong(PG.psql(dst,
          "SELECT (SELECT sum(balance) FROM checking) + (SELECT sum(balance) FROM savings)").strip());
      assertEquals(TOTAL, sum, "the restored accounts must add up to the invariant");
      long moved = Long.parseLong(PG.psql(dst, "SELECT count(*) FROM checking WHERE balance <> 1000").strip());
      assertTrue(moved > 0, "the backup must contain some transfers, or the test proves nothing");
    } finally {
      stop.set(true);
    }
  }

  private static void transfer(String db, AtomicBoolean stop, AtomicLong transfers) {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + PG.host() + ":" + PG.port() + "/" + db, p)) {
      c.setAutoCommit(false);
      PreparedStatement out = c.prepareStatement("UPDATE checking SET balance = balance - ? WHERE id = ?");
      PreparedStatement in = c.prepareStatement("UPDATE savings SET balance = balance + ? WHERE id = ?");
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      while (!stop.get()) {
        long amount = rnd.nextLong(-50, 50);
        out.setLong(1, amount);
        out.setInt(2, rnd.nextInt(1, ACCOUNTS + 1));
        out.executeUpdate();
        in.setLong(1, amount);
        in.setInt(2, rnd.nextInt(1, ACCOUNTS + 1));
        in.executeUpdate();
        c.commit();
        transfers.incrementAndGet();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
