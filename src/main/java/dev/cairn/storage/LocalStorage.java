package dev.cairn.storage;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The local-directory driver. A write goes to {@code .<name>.partial} beside its key, is fsynced, and
 * is published with a hard link (which fails if the key exists: "publish only if absent" without a
 * check-then-act), then the directory is fsynced. Small objects are replaced by rename. Files are
 * 0600 and directories 0700: a repository holds a database's data.
 */
public final class LocalStorage implements Storage {
  static final String PARTIAL = ".partial";
  private static final FileAttribute<?> FILE_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final FileAttribute<?> DIR_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path root;
  private final boolean posix;

  private LocalStorage(Path root) {
    this.root = root;
    this.posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** An existing directory; REPO_READ when it is missing or not a directory. */
  public static LocalStorage open(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs)) {
      throw new CairnException(ErrorCode.REPO_READ, "repository " + abs + " does not exist or is not a directory",
          "pass the directory that holds the .cairn archives with --repo");
    }
    return new LocalStorage(abs);
  }

  /** A directory for writing, created (0700) when missing; REPO_WRITE when it cannot be written. */
  public static LocalStorage openForWrite(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    LocalStorage s = new LocalStorage(abs);
    try {
      if (!Files.exists(abs)) {
        s.createDirectories(abs);
      }
      if (!Files.isDirectory(abs)) {
        throw new CairnException(ErrorCode.REPO_WRITE, "repository " + abs + " is not a directory");
      }
      Path probe = abs.resolve(".write-probe-" + ProcessHandle.current().pid() + "-" + random());
      Files.write(probe, new byte[0]);
      Files.delete(probe);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "repository " + abs + " is not writable: " + describe(e),
          "check the directory's owner and permissions and the free space", null, e);
    }
    return s;
  }

  @Override
  public Set<Feature> features() {
    return EnumSet.of(Feature.FREE_SPACE, Feature.LOCAL);
  }

  @Override
  public String location() {
    return root.toString();
  }

  /** The directory, for the few local-only tools (pg_restore needs a seekable file) and messages. */
  public Path root() {
    return root;
  }

  @Override
  public WriteSink create(String key) {
    Path target = path(key);
    Path partial = partialOf(target);
    try {
      createDirectories(target.getParent());
      FileChannel ch = posix
          ? FileChannel.open(partial, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_MODE)
          : FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return new FileSink(key, target, partial, ch);
    } catch (FileAlreadyExistsException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot write " + key + " in " + root + ": an unfinished write "
          + partial.getFileName() + " exists", "another process is writing it, or one crashed: the agent removes"
          + " leftovers of writers that are gone when it starts", null, e);
    } catch (IOException e) {
      throw writeError("cannot create " + key, e);
    }
  }

  @Override
  public Optional<ReadSource> open(String key) {
    Path p = path(key);
    try {
      return Optional.of(new FileSource(key, FileChannel.open(p, StandardOpenOption.READ)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw readError("cannot open " + key, e);
    }
  }

  @Override
  public Optional<ObjectInfo> stat(String key) {
    Path p = path(key);
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      return a.isRegularFile() ? Optional.of(new ObjectInfo(key, a.size(), a.lastModifiedTime().toMillis()))
          : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw readError("cannot stat " + key, e);
    }
  }

  @Override
  public List<ObjectInfo> list(String dir) {
    if (!dir.isEmpty() && (!dir.endsWith("/") || !KEY.matcher(dir.substring(0, dir.length() - 1)).matches())) {
      throw new IllegalArgumentException("invalid storage directory \"" + dir + "\"");
    }
    Path d = dir.isEmpty() ? root : root.resolve(dir);
    List<ObjectInfo> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.startsWith(".")) {
          continue;
        }
        try {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          if (a.isRegularFile()) {
            out.add(new ObjectInfo(dir + name, a.size(), a.lastModifiedTime().toMillis()));
          }
        } catch (NoSuchFileException gone) {
          // deleted while listing: not there any more, and not an error
        }
      }
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw readError("cannot list " + (dir.isEmpty() ? "" : dir + " in ") + "repository", e);
    }
    return out;
  }

  @Override
  public boolean delete(String key) {
    Path p = path(key);
    try {
      boolean existed = Files.deleteIfExists(p);
      if (existed) {
        fsyncDir(p.getParent());
      }
      return existed;
    } catch (IOException e) {
      throw writeError("cannot delete " + key, e);
    }
  }

  @Override
  public Optional<byte[]> get(String key) {
    try {
      return Optional.of(Files.readAllBytes(path(key)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw readError("cannot read " + key, e);
    }
  }

  @Override
  public boolean putIfAbsent(String key, byte[] content) {
    Path target = path(key);
    Path tmp = writeTemp(target, content);
    try {
      return link(tmp, target);
    } finally {
      deleteQuietly(tmp);
    }
  }

  @Override
  public void put(String key, byte[] content) {
    Path target = path(key);
    Path tmp = writeTemp(target, content);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDir(target.getParent());
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw writeError("cannot write " + key, e);
    }
  }

  @Override
  public void append(String key, byte[] content) {
    Path p = path(key);
    try {
      createDirectories(p.getParent());
      try (FileChannel ch = posix
          ? FileChannel.open(p, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), FILE_MODE)
          : FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        long before = ch.size();
        try {
          ByteBuffer b = ByteBuffer.wrap(content);
          long at = before;
          while (b.hasRemaining()) {
            at += ch.write(b, at);
          }
          ch.force(false);
        } catch (IOException e) {
          ch.truncate(before); // a full disk must not leave half a record behind
          throw e;
        }
      }
    } catch (IOException e) {
      throw writeError("cannot append to " + key, e);
    }
  }

  @Override
  public boolean renameIfAbsent(String from, String to) {
    Path src = path(from);
    Path dst = path(to);
    createDirectoriesUnchecked(dst.getParent());
    if (!link(src, dst)) {
      return false;
    }
    try {
      Files.delete(src);
      fsyncDir(src.getParent());
    } catch (IOException e) {
      throw writeError("cannot remove " + from + " after renaming it to " + to, e);
    }
    return true;
  }

  @Override
  public List<String> partials() {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root, 3)) {
      s.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith(".") && n.endsWith(PARTIAL) && n.length() > 1 + PARTIAL.length();
      }).forEach(p -> {
        String n = p.getFileName().toString();
        Path target = p.resolveSibling(n.substring(1, n.length() - PARTIAL.length()));
        out.add(root.relativize(target).toString().replace('\\', '/'));
      });
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new CairnException(ErrorCode.REPO_READ, "cannot look for unfinished writes in " + root + ": "
          + e.getMessage(), null, null, e);
    }
    return out;
  }

  @Override
  public boolean removePartial(String key) {
    Path partial = partialOf(path(key));
    try {
      return Files.deleteIfExists(partial);
    } catch (IOException e) {
      throw writeError("cannot remove the unfinished write of " + key, e);
    }
  }

  @Override
  public OptionalLong freeSpace() {
    try {
      return OptionalLong.of(Files.getFileStore(root).getUsableSpace());
    } catch (IOException e) {
      return OptionalLong.empty();
    }
  }

  private Path path(String key) {
    try {
      return root.resolve(Storage.checkKey(key));
    } catch (IllegalArgumentException e) {
      throw new CairnException(ErrorCode.INTERNAL, e.getMessage() + " in " + root);
    }
  }

  private static Path partialOf(Path target) {
    return target.resolveSibling("." + target.getFileName() + PARTIAL);
  }

  /** Hard link: atomic, and fails when {@code dst} exists. False when it exists. */
  private boolean link(Path src, Path dst) {
    try {
      Files.createLink(dst, src);
      fsyncDir(dst.getParent());
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException | UnsupportedOperationException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot publish " + root.relativize(dst) + " in " + root + ": "
          + (e instanceof IOException io ? describe(io) : "hard links are not supported"),
          "the repository must be on a local POSIX file system (hard links and atomic renames)", null, e);
    }
  }

  private Path writeTemp(Path target, byte[] content) {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + random());
    try {
      createDirectories(target.getParent());
      try (FileChannel ch = posix
          ? FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_MODE)
          : FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      return tmp;
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw writeError("cannot write " + root.relativize(target), e);
    }
  }

  private void createDirectoriesUnchecked(Path dir) {
    try {
      createDirectories(dir);
    } catch (IOException e) {
      throw writeError("cannot create directory " + dir, e);
    }
  }

  private void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (dir.getParent() != null) {
      createDirectories(dir.getParent());
    }
    try {
      if (posix) {
        Files.createDirectory(dir, DIR_MODE);
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException raced) {
      // created by another writer meanwhile: fine
    }
  }

  static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a leftover temp name starts with a dot: never listed, harmless
    }
  }

  private static String random() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private CairnException writeError(String what, IOException e) {
    return new CairnException(ErrorCode.REPO_WRITE, what + " in " + root + ": " + describe(e),
        "check free space and permissions of the repository", null, e);
  }

  private CairnException readError(String what, IOException e) {
    return new CairnException(ErrorCode.REPO_READ, what + " in " + root + ": " + describe(e), null, null, e);
  }

  /** I/O messages without the exception class noise; "No space left on device" stays visible. */
  public static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file " + e.getMessage();
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied on " + e.getMessage();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Bytes a sink writes between two background flushes. */
  static final long FLUSH_EVERY = 32L << 20;
  /**
   * Flushes written data of files being written while they are still written (one flush at a time for the
   * process: the disk is shared), so that the fsync of a commit finds little left to write instead of the
   * whole file: an archive's last bytes are then durable moments after they are written.
   */
  private static final java.util.concurrent.ExecutorService FLUSHER = java.util.concurrent.Executors
      .newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cairn-flush");
        t.setDaemon(true);
        return t;
      });

  /** A file written front to back, published by {@link #link}. */
  private final class FileSink implements WriteSink {
    private final String key;
    private final Path target;
    private final Path partial;
    private final FileChannel ch;
    private long position;
    private long flushedAt;
    private boolean flushing;
    /** A background flush's failure: the kernel reports a write-back error once, so commit must see it here. */
    private volatile IOException flushFailure;
    private boolean done;

    FileSink(String key, Path target, Path partial, FileChannel ch) {
      this.key = key;
      this.target = target;
      this.partial = partial;
      this.ch = ch;
    }

    @Override
    public void write(ByteBuffer buf) {
      try {
        while (buf.hasRemaining()) {
          position += ch.write(buf);
        }
      } catch (IOException e) {
        throw writeError("writing " + key + " at byte offset " + position + " failed", e);
      }
      if (position - flushedAt >= FLUSH_EVERY) {
        flushInBackground();
      }
    }

    private synchronized void flushInBackground() {
      if (flushing || done) {
        return;
      }
      flushing = true;
      flushedAt = position;
      FLUSHER.execute(() -> {
        try {
          ch.force(false);
        } catch (java.nio.channels.ClosedChannelException e) {
          // aborted or committed meanwhile: nothing to flush
        } catch (IOException e) {
          flushFailure = e;
        } finally {
          synchronized (this) {
            flushing = false;
          }
        }
      });
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public void commit() {
      try {
        ch.force(true);
        if (flushFailure != null) {
          throw flushFailure;
        }
        ch.close();
      } catch (IOException e) {
        abort();
        throw writeError("syncing " + key + " failed", e);
      }
      try {
        if (!link(partial, target)) {
          throw new CairnException(ErrorCode.REPO_WRITE, key + " already exists in " + root + "; not replaced");
        }
        done = true;
      } finally {
        deleteQuietly(partial);
      }
    }

    @Override
    public void abort() {
      done = true;
      try {
        ch.close();
      } catch (IOException ignored) {
        // the file is deleted next
      }
      deleteQuietly(partial);
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public void close() {
      if (!done) {
        abort();
      }
    }
  }

  private final class FileSource implements ReadSource {
    private final String key;
    private final FileChannel ch;
    private final long size;

    FileSource(String key, FileChannel ch) throws IOException {
      this.key = key;
      this.ch = ch;
      this.size = ch.size();
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
      long at = offset;
      try {
        while (dst.hasRemaining()) {
          int n = ch.read(dst, at);
          if (n < 0) {
            throw new CairnException(ErrorCode.REPO_READ, key + " in " + root + " ends at byte offset " + at
                + ", before the " + dst.remaining() + " more bytes asked for");
          }
          at += n;
        }
      } catch (IOException e) {
        throw readError("reading " + key + " at byte offset " + at + " failed", e);
      }
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public void close() {
      try {
        ch.close();
      } catch (IOException ignored) {
        // read-only: nothing is lost
      }
    }
  }
}
