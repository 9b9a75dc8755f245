package dev.cairn.conn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * libpq's password file ({@code ~/.pgpass} or {@code PGPASSFILE}): lines
 * {@code host:port:database:user:password}, {@code *} matches anything, {@code \:} and {@code \\}
 * escape, lines starting with {@code #} are comments, the first matching line wins. A file with any
 * group or other permission bit is ignored with a warning, as libpq does.
 */
final class PassFile {
  private static final Logger LOG = Logger.getLogger(PassFile.class.getName());
  private static final Set<PosixFilePermission> GROUP_OR_OTHER =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private PassFile() {}

  /** The password for these connection values, or null (no file, unsafe file, no match). */
  static String lookup(Path file, String host, int port, String db, String user) {
    if (file == null || !Files.exists(file)) {
      return null;
    }
    if (!Files.isRegularFile(file)) {
      LOG.warning("password file \"" + file + "\" is not a plain file; ignoring it");
      return null;
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, new LinkOption[0]);
      if (perms.stream().anyMatch(GROUP_OR_OTHER::contains)) {
        LOG.warning(
            "password file \"" + file + "\" has group or world access; permissions should be u=rw"
                + " (0600) or less; ignoring it");
        return null;
      }
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: libpq skips the check on Windows too
    } catch (IOException e) {
      LOG.warning("cannot read password file \"" + file + "\": " + e.getClass().getSimpleName());
      return null;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.warning("cannot read password file \"" + file + "\": " + e.getClass().getSimpleName());
      return null;
    }
    return match(lines, host, port, db, user);
  }

  static String match(List<String> lines, String host, int port, String db, String user) {
    String portText = Integer.toString(port);
    for (String raw : lines) {
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      if (line.isEmpty() || line.charAt(0) == '#') {
        continue;
      }
      int[] pos = {0};
      if (field(line, pos, host, ConnSpec.isUnixSocket(host))
          && field(line, pos, portText, false)
          && field(line, pos, db, false)
          && field(line, pos, user, false)) {
        return password(line, pos[0]);
      }
    }
    return null;
  }

  /**
   * Matches the field starting at pos[0] against value and advances pos past its ':'. As libpq, a field
   * that is exactly "*" matches anything; "localhost" also matches a unix-socket host.
   */
  private static boolean field(String line, int[] pos, String value, boolean unixSocket) {
    int i = pos[0];
    if (line.startsWith("*:", i)) {
      pos[0] = i + 2;
      return true;
    }
    StringBuilder f = new StringBuilder();
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        f.append(line.charAt(i + 1));
        i += 2;
      } else if (c == ':') {
        pos[0] = i + 1;
        String entry = f.toString();
        return entry.equals(value) || (unixSocket && entry.equals("localhost"));
      } else {
        f.append(c);
        i++;
      }
    }
    return false; // too few fields
  }

  private static String password(String line, int from) {
    StringBuilder pw = new StringBuilder();
    for (int i = from; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == ':') {
        break;
      }
      if (c == '\\' && i + 1 < line.length()) {
        c = line.charAt(++i);
      }
      pw.append(c);
    }
    return pw.toString();
  }
}
