package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.LocalStorage;
import dev.cairn.storage.ReadSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Lays down the base backup nearest before a target into an empty data directory and writes the recovery
 * settings ({@code restore_command}, the target, {@code recovery_target_action = promote}, timeline latest); with
 * {@code start}, runs the recovery ({@link Recovery}), its segments staged meanwhile by {@link WalStage} (a started
 * recovery's restore_command is the stage's script, which falls back to {@code cairn wal-get}; an unstarted one's
 * is wal-get). Blocking.
 *
 * <p>As root the server runs as another user, who cannot read the repository (0600 files): the WAL the recovery
 * may need is copied, still compressed and checksummed, into {@code DATA/cairn_wal/} for wal-get, and removed once
 * a started recovery is over.
 */
public final class PitrRestore {
  public static final String STAGED_WAL = "cairn_wal";
  private static final java.time.format.DateTimeFormatter PG_TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'").withZone(java.time.ZoneOffset.UTC);

  /** @param walGet the command that runs cairn (java -cp ... dev.cairn.cli.Main), to which wal-get's arguments are added */
  /** @param serverOptions postgres options for this start only (pg_ctl -o), or "" */
  public record Options(Target target, Path dataDir, boolean start, Integer port, List<String> walGet, Path pgBin,
      String serverOptions) {
    public Options(Target target, Path dataDir, boolean start, Integer port, List<String> walGet, Path pgBin) {
      this(target, dataDir, start, port, walGet, pgBin, "");
    }
  }

  public record Result(BaseInfo base, Path dataDir, Recovery.Outcome recovery) {}

  private final PitrStore store;

  public PitrRestore(PitrStore store) {
    this.store = store;
  }

  public Result run(Options o) {
    ClusterInfo info = store.requireInfo();
    Window w = Window.of(store, info);
    BaseInfo base = choose(o.target(), w);
    checkWal(o.target(), w, base, info);
    prepare(o.dataDir());
    OsUser user = OsUser.forDataDir(o.dataDir());
    Path walRepo = store.storage() instanceof LocalStorage ? Path.of(store.storage().location()) : null;
    boolean copyWal = user.viaRoot() || walRepo == null;
    if (copyWal) {
      walRepo = o.dataDir().resolve(STAGED_WAL);
    }
    String walGet = walGet(o, walRepo);
    // a started recovery gets its segments staged while the base backup is laid down and while it replays
    WalStage staged = o.start() ? WalStage.start(store, o.dataDir(), WalStage.plan(w, base), info.segmentSize(),
        walGet, user) : null;
    // the copy for wal-get (as root) goes on beside the laying down; both are done before the server starts
    ExecutorService copier = BaseStream.pool("cairn-walcopy", 1);
    try {
      Path copyTo = walRepo;
      Future<?> copied = copyWal ? copier.submit(() -> stage(copyTo, w, base, info)) : null;
      extract(base, o.dataDir());
      if (copied != null) {
        BaseStream.await(copied);
      }
      writeSettings(o, staged == null ? walGet
          : shellQuote(o.dataDir().resolve(WalStage.DIR).resolve(WalStage.SCRIPT).toString()));
      own(user, o.dataDir());
      if (!o.start()) {
        return new Result(base, o.dataDir(), null);
      }
      Recovery.Outcome out = new Recovery(o.dataDir(), user, ServerBin.find("pg_ctl", info.serverVersionNum() / 10000,
          o.pgBin()), o.port(), o.serverOptions()).run(store.cluster(), o.target());
      deleteTree(o.dataDir().resolve(STAGED_WAL));
      return new Result(base, o.dataDir(), out);
    } finally {
      copier.shutdownNow();
      if (staged != null) {
        staged.close();
      }
    }
  }

  /** Gives the laid-down files to the server's user; the stage, still being written, is given file by file. */
  private static void own(OsUser user, Path dataDir) {
    if (!user.viaRoot()) {
      return;
    }
    try (Stream<Path> s = Files.list(dataDir)) {
      user.own(s.filter(p -> !p.getFileName().toString().equals(WalStage.DIR)).toList());
      Files.setOwner(dataDir, user.principal());
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot give " + dataDir + " to " + user.name() + ": "
          + e.getMessage());
    }
  }

  /** The newest restorable base backup that ends before the target. */
  BaseInfo choose(Target t, Window w) {
    List<BaseInfo> usable = store.bases().stream().filter(w::usable).toList();
    Optional<Lsn> markLsn = t.kind() == Target.Kind.NAME ? store.mark(t.name()) : Optional.empty();
    Optional<BaseInfo> pick = usable.stream().filter(b -> switch (t.kind()) {
      case TIME -> !b.finished().isAfter(t.time());
      case LSN -> b.stop().compareTo(t.lsn()) <= 0;
      case NAME -> markLsn.map(l -> b.stop().compareTo(l) <= 0).orElse(true);
      case LATEST -> true;
    }).max(Comparator.comparing(BaseInfo::finished));
    if (t.kind() == Target.Kind.NAME && markLsn.isEmpty()) {
      pick = usable.stream().findFirst(); // a restore point cairn did not record: the oldest base reaches it if anything does
    }
    return pick.orElseThrow(() -> new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no base backup of cluster "
        + store.cluster() + " in " + store.storage().location() + " ends before " + t
        + (usable.isEmpty() ? " (none whose WAL is complete)" : " (the oldest restorable ended "
        + usable.get(0).finished() + ")"), "take one with cairn pitr backup, or choose a later target"));
  }

  /** WAL missing between the base backup and the end (for latest) stops the restore here, naming the segment. */
  private void checkWal(Target t, Window w, BaseInfo base, ClusterInfo info) {
    long from = Segment.of(base.timeline(), base.start(), info.segmentSize()).number();
    // the end of the WAL is the end of the newest timeline: its ancestors may have gone on past the branch
    var newest = w.segments.get(w.lineage.target());
    long last = newest == null ? from : newest.last();
    long through = t.kind() == Target.Kind.LATEST ? last : Segment.of(base.timeline(), base.stop(), info.segmentSize()).number();
    w.firstMissing(from, through).ifPresent(s -> {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, "WAL segment " + s.name(info.segmentSize()) + " of cluster "
          + store.cluster() + " is missing from " + store.storage().location() + ": recovery from base backup "
          + base.id() + " cannot pass it", "choose a target before the gap (cairn pitr status shows it), or a"
          + " base backup taken after it");
    });
  }

  private static void prepare(Path dataDir) {
    try {
      if (Files.exists(dataDir)) {
        try (Stream<Path> s = Files.list(dataDir)) {
          if (s.findAny().isPresent()) {
            throw new CairnException(ErrorCode.RESTORE_TARGET_NOT_EMPTY, "data directory " + dataDir + " is not empty",
                "give an empty or new directory");
          }
        }
      } else {
        Files.createDirectories(dataDir);
      }
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot prepare data directory " + dataDir + ": " + e.getMessage());
    }
  }

  private void extract(BaseInfo base, Path dataDir) {
    String key = store.baseDataKey(base.id());
    ReadSource src = store.storage().open(key).orElseThrow(() -> new CairnException(ErrorCode.BACKUP_NOT_FOUND,
        "base backup " + base.id() + " has no data (" + key + ")"));
    try (src; InputStream in = new BaseStream.Reader(src, base.sha256())) {
      Process tar = new ProcessBuilder("tar", "-x", "-f", "-", "--no-same-owner", "-C", dataDir.toString())
          .redirectErrorStream(true).start();
      try (OutputStream out = tar.getOutputStream()) {
        in.transferTo(out);
      }
      String said = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (tar.waitFor() != 0) {
        throw new CairnException(ErrorCode.RESTORE_PRECONDITION, "cannot unpack base backup " + base.id() + " into "
            + dataDir + ": " + said);
      }
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot unpack base backup " + base.id() + " into " + dataDir
          + ": " + e.getMessage(), null, null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CairnException(ErrorCode.CANCELLED, "restore of base backup " + base.id() + " interrupted");
    }
  }

  /** Copies the WAL from the base backup's start on (and every history file) into a repository of its own. */
  private Path stage(Path dir, Window w, BaseInfo base, ClusterInfo info) {
    LocalStorage staged = LocalStorage.openForWrite(dir);
    PitrStore copy = new PitrStore(staged, store.cluster());
    copy.putInfo(info);
    long from = Segment.of(base.timeline(), base.start(), info.segmentSize()).number();
    for (String f : store.walFiles()) {
      Optional<Segment> s = Segment.parse(f, info.segmentSize());
      if (s.isEmpty() || s.get().number() >= from) {
        store.rawObject(f).ifPresent(o -> copy.putRawObject(f, o));
      }
    }
    return dir;
  }

  /** wal-get's command line for this restore, shell-quoted, without its %f %p. */
  private String walGet(Options o, Path walRepo) {
    List<String> cmd = new ArrayList<>(o.walGet());
    cmd.addAll(List.of("wal-get", "--repo", walRepo.toString(), "--cluster", store.cluster()));
    return cmd.stream().map(PitrRestore::shellQuote).collect(Collectors.joining(" "));
  }

  private void writeSettings(Options o, String command) {
    String restore = command + " %f %p";
    StringBuilder conf = new StringBuilder("\n# written by cairn pitr restore (cluster " + store.cluster() + ", target "
        + o.target() + ")\n");
    conf.append("restore_command = ").append(confQuote(restore)).append('\n');
    switch (o.target().kind()) {
      case TIME -> conf.append("recovery_target_time = ").append(confQuote(PG_TIME.format(o.target().time()))).append('\n');
      case LSN -> conf.append("recovery_target_lsn = ").append(confQuote(o.target().lsn().toString())).append('\n');
      case NAME -> conf.append("recovery_target_name = ").append(confQuote(o.target().name())).append('\n');
      case LATEST -> { }
    }
    conf.append("recovery_target_action = 'promote'\nrecovery_target_timeline = 'latest'\n");
    if (o.port() != null) {
      conf.append("port = ").append(o.port()).append('\n');
    }
    try {
      Files.writeString(o.dataDir().resolve("postgresql.auto.conf"), conf, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      Files.write(o.dataDir().resolve("recovery.signal"), new byte[0]);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot write the recovery settings in " + o.dataDir() + ": "
          + e.getMessage());
    }
  }

  static String shellQuote(String s) {
    return s.matches("[A-Za-z0-9_./=:@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }

  static String confQuote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot remove " + dir + ": " + e.getMessage());
    }
  }
}
