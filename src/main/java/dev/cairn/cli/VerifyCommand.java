package dev.cairn.cli;

import dev.cairn.error.CairnException;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Latest;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Verification;
import dev.cairn.verify.Verifier;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", description = "Check every byte of a backup without a database.")
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Parameters(index = "0", paramLabel = "ID|latest")
  String id;

  @Mixin RepoOptions repo;

  @Option(names = {"--database", "--name"}, paramLabel = "NAME", description = "with 'latest': the newest backup"
      + " of this name (the id's prefix); required when the repository holds backups of several names")
  String database;

  Clock clock = Clock.systemUTC();

  @Option(names = {"-j", "--jobs"}, defaultValue = "2")
  int jobs;

  @Mixin ProgressOptions progress;

  @Mixin KeyOptions keys;

  @Override
  public Integer call() {
    Cli.setupLogging(false);
    Repository repository = repo.open().withKeys(repo.keys(keys.keys()));
    // an explicit id is verified even when damaged: only "latest" goes through the listing
    String resolved = "latest".equals(id) ? Backups.resolve(repository, id, database, clock.instant()).id() : id;
    Latest.checkName(resolved, database);
    repository.archive(resolved); // BACKUP_NOT_FOUND before any thread starts
    ProgressReporter shown = progress.reporter("verify", cmd.commandLine().getErr());
    Verifier.Report r;
    try {
      r = Cli.await(jobs, (vertx, pools) -> {
        shown.start(vertx);
        return new Verifier(vertx, pools, jobs).onProgress(shown::report)
            .run(() -> repository.openArchive(resolved, "cairn verify"));
      }, null);
    } finally {
      shown.close();
    }
    if (r.storageOnly()) {
      // no key: the structure and every CRC32C, not the rows; not recorded as a verification
      if (!r.ok()) {
        r.problems().forEach(p -> cmd.commandLine().getErr().println("bad: " + p));
        throw Verifier.failure(resolved + " in " + repository.location(), r);
      }
      cmd.commandLine().getOut().printf("OK %s (storage level: encrypted, no key given): %d chunks, %s checked"
          + " (structure and crc32c; pass --passphrase-file or --identity to check the rows)%n", resolved, r.chunks(),
          Cli.bytes(r.rawBytes()));
      return 0;
    }
    Instant now = Instant.now();
    try {
      Backups.recordVerification(repository, resolved, r.ok() ? Verification.verified(now, "full verify")
          : Verification.failed(now, "full verify", r.problems().get(0), r.problems().size()));
    } catch (CairnException e) { // a read-only repository: the verify's answer stands, it is just not recorded
      cmd.commandLine().getErr().println("note: the result is not recorded in the catalog: " + e.getMessage());
    }
    if (!r.ok()) {
      r.problems().forEach(p -> cmd.commandLine().getErr().println("bad: " + p));
      throw Verifier.failure(resolved + " in " + repository.location(), r);
    }
    cmd.commandLine().getOut().printf("OK %s: %d tables, %d rows, %d chunks, %s checked%n", resolved,
        r.manifest().tables().size(), r.rows(), r.chunks(), Cli.bytes(r.rawBytes()));
    return 0;
  }
}
