package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.ChildProcess;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL refuses to run as root: as root, the server runs as the data directory's owner (runuser), and the
 * files cairn lays down are given to that owner. As any other user, everything runs as that user.
 */
record OsUser(String name, boolean viaRoot) {
  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Who will run the server of {@code dataDir}: its owner (or its parent's), never root; else postgres. */
  static OsUser forDataDir(Path dataDir) {
    if (!isRoot()) {
      return new OsUser(System.getProperty("user.name"), false);
    }
    try {
      Path p = Files.exists(dataDir) ? dataDir : dataDir.toAbsolutePath().getParent();
      String owner = Files.getOwner(p).getName();
      if (!owner.equals("root")) {
        return new OsUser(owner, true);
      }
      p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      return new OsUser("postgres", true);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.RESTORE_PRECONDITION, "cannot run PostgreSQL as root, and neither "
          + dataDir + " nor its parent is owned by another user, and there is no postgres user",
          "create the data directory owned by the user the server should run as, or run cairn as that user");
    }
  }

  List<String> command(List<String> cmd) {
    if (!viaRoot) {
      return cmd;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", name, "--"));
    wrapped.addAll(cmd);
    return wrapped;
  }

  /** Gives {@code dir} and everything in it to this user (as root only). */
  void own(Path dir) {
    own(List.of(dir));
  }

  /** Gives each of {@code paths} and everything in them to this user (as root only), with one chown. */
  void own(List<Path> paths) {
    if (!viaRoot || paths.isEmpty()) {
      return;
    }
    List<String> cmd = new ArrayList<>(List.of("chown", "-R", name + ":"));
    paths.forEach(p -> cmd.add(p.toString()));
    String what = paths.size() == 1 ? paths.get(0).toString() : paths.size() + " files in " + paths.get(0).getParent();
    try {
      ChildProcess.Result r = new ChildProcess().run(cmd, Map.of());
      if (r.exitCode() != 0) {
        throw new CairnException(ErrorCode.REPO_WRITE, "cannot give " + what + " to " + name + ": " + r.tail(3));
      }
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot give " + what + " to " + name + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CairnException(ErrorCode.CANCELLED, "interrupted");
    }
  }

  /** The principal of this user, to give single files to it (as root). */
  UserPrincipal principal() throws IOException {
    return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(name);
  }
}
