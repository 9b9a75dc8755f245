package dev.cairn.archive;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a backup contains: stored as JSON in the archive's manifest chunk. Field names are part of the
 * archive format (docs/archive-format.md); add fields, never rename them.
 */
public record Manifest(
    int formatVersion,
    String id,
    String database,
    String toolVersion,
    String serverVersion,
    int serverVersionNum,
    String pgDumpVersion,
    String encoding,
    String snapshotId,
    Instant snapshotTime,
    Instant started,
    Instant finished,
    JsonObject options,
    List<ChunkRef> schemaChunks,
    List<Table> tables,
    List<Sequence> sequences,
    List<Matview> matviews,
    Globals globals,
    Content content,
    Map<String, String> copySettings,
    Locale locale) {

  public static final int FORMAT_VERSION = 1;

  /**
   * {@code copySettings}: the session settings the COPY text was written with (client_encoding,
   * DateStyle, search_path, lc_monetary, ...), which a restore loads with; null in archives written before
   * they were recorded. {@code locale}: the source database's, for restore --create; null in those too.
   */
  public Manifest {
    copySettings = copySettings == null ? null
        : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(copySettings));
  }

  /** A manifest without recorded COPY settings or locale (written before cairn recorded them). */
  public Manifest(int formatVersion, String id, String database, String toolVersion, String serverVersion,
      int serverVersionNum, String pgDumpVersion, String encoding, String snapshotId, Instant snapshotTime,
      Instant started, Instant finished, JsonObject options, List<ChunkRef> schemaChunks, List<Table> tables,
      List<Sequence> sequences, List<Matview> matviews, Globals globals, Content content) {
    this(formatVersion, id, database, toolVersion, serverVersion, serverVersionNum, pgDumpVersion, encoding,
        snapshotId, snapshotTime, started, finished, options, schemaChunks, tables, sequences, matviews, globals,
        content, null, null);
  }

  /**
   * The source database's locale: {@code provider} as pg_database.datlocprovider ('c' libc, 'i' ICU, 'b'
   * builtin), {@code icuLocale} the ICU (or builtin) locale, {@code icuRules} ICU tailoring rules (PostgreSQL
   * 16+); null where the server has none.
   */
  public record Locale(String collate, String ctype, String provider, String icuLocale, String icuRules) {
    JsonObject toJson() {
      return new JsonObject().put("collate", collate).put("ctype", ctype).put("provider", provider)
          .put("icuLocale", icuLocale).put("icuRules", icuRules);
    }

    static Locale fromJson(JsonObject j) {
      return j == null ? null : new Locale(j.getString("collate"), j.getString("ctype"), j.getString("provider"),
          j.getString("icuLocale"), j.getString("icuRules"));
    }
  }

  /** A manifest without globals (written before they were captured) of a full backup. */
  public Manifest(int formatVersion, String id, String database, String toolVersion, String serverVersion,
      int serverVersionNum, String pgDumpVersion, String encoding, String snapshotId, Instant snapshotTime,
      Instant started, Instant finished, JsonObject options, List<ChunkRef> schemaChunks, List<Table> tables,
      List<Sequence> sequences, List<Matview> matviews) {
    this(formatVersion, id, database, toolVersion, serverVersion, serverVersionNum, pgDumpVersion, encoding,
        snapshotId, snapshotTime, started, finished, options, schemaChunks, tables, sequences, matviews, null,
        Content.ALL, null, null);
  }

  /** What a backup holds: everything, the schema without table data, or the table data without the schema. */
  public enum Content {
    ALL("all"), SCHEMA_ONLY("schema-only"), DATA_ONLY("data-only");

    private final String label;

    Content(String label) {
      this.label = label;
    }

    /** As in the manifest, the CLI and the configuration: all, schema-only, data-only. */
    public String label() {
      return label;
    }

    public static Content of(String label) {
      for (Content c : values()) {
        if (c.label.equals(label)) {
          return c;
        }
      }
      throw new IllegalArgumentException("unknown content " + label + " (all, schema-only or data-only)");
    }
  }

  /**
   * Roles and tablespaces ({@code pg_dumpall --globals-only}): the SQL script is the concatenation of the
   * kind-2 chunks, in order. {@code rolePasswords} false: the backup role could not read pg_authid, so the
   * script was taken with --no-role-passwords and restored roles have no password.
   */
  public record Globals(List<ChunkRef> chunks, boolean rolePasswords, String pgDumpallVersion) {
    JsonObject toJson() {
      return new JsonObject().put("chunks", arr(chunks, ChunkRef::toJson)).put("rolePasswords", rolePasswords)
          .put("pgDumpallVersion", pgDumpallVersion);
    }

    static Globals fromJson(JsonObject j) {
      return j == null ? null : new Globals(list(j.getJsonArray("chunks"), ChunkRef::fromJson),
          j.getBoolean("rolePasswords"), j.getString("pgDumpallVersion"));
    }
  }

  /**
   * One dumped table: its rows live in parts (page ranges), each a list of chunks in order. {@code
   * extension}: the extension whose configuration table this is (its CREATE EXTENSION creates the table
   * and its own rows; the parts hold only the rows added since), else null.
   */
  public record Table(long oid, String schema, String name, boolean unlogged, List<String> columns,
      long relBytes, long rows, long digest, List<Part> parts, List<String> indexes, List<ForeignKey> foreignKeys,
      String extension) {

    public Table(long oid, String schema, String name, boolean unlogged, List<String> columns, long relBytes,
        long rows, long digest, List<Part> parts, List<String> indexes, List<ForeignKey> foreignKeys) {
      this(oid, schema, name, unlogged, columns, relBytes, rows, digest, parts, indexes, foreignKeys, null);
    }

    public String qualifiedName() {
      return schema + "." + name;
    }

    /** Quoted for SQL. */
    public String sqlName() {
      return Sql.ident(schema) + "." + Sql.ident(name);
    }

    JsonObject toJson() {
      JsonObject j = new JsonObject().put("oid", oid).put("schema", schema).put("name", name).put("unlogged", unlogged)
          .put("columns", new JsonArray(new ArrayList<>(columns))).put("relBytes", relBytes).put("rows", rows)
          .put("digest", hex(digest)).put("parts", arr(parts, Part::toJson))
          .put("indexes", new JsonArray(new ArrayList<>(indexes)))
          .put("foreignKeys", arr(foreignKeys, ForeignKey::toJson));
      return extension == null ? j : j.put("extension", extension);
    }

    static Table fromJson(JsonObject j) {
      return new Table(j.getLong("oid"), j.getString("schema"), j.getString("name"), j.getBoolean("unlogged", false),
          strings(j.getJsonArray("columns")), j.getLong("relBytes", 0L), j.getLong("rows"),
          Long.parseUnsignedLong(j.getString("digest"), 16), list(j.getJsonArray("parts"), Part::fromJson),
          strings(j.getJsonArray("indexes", new JsonArray())),
          list(j.getJsonArray("foreignKeys", new JsonArray()), ForeignKey::fromJson), j.getString("extension"));
    }
  }

  /** A foreign key of a table and the table it references (a selective restore drops dangling ones). */
  public record ForeignKey(String name, String refSchema, String refName) {
    JsonObject toJson() {
      return new JsonObject().put("name", name).put("refSchema", refSchema).put("refName", refName);
    }

    static ForeignKey fromJson(JsonObject j) {
      return new ForeignKey(j.getString("name"), j.getString("refSchema"), j.getString("refName"));
    }
  }

  /**
   * Rows of a page range [fromPage, toPage) of a table (both null: the whole table; toPage null: to
   * the end). Chunks hold the COPY text of the part in order; a row may span two chunks.
   */
  public record Part(Long fromPage, Long toPage, long rows, long digest, long rawBytes, List<ChunkRef> chunks) {
    JsonObject toJson() {
      return new JsonObject().put("fromPage", fromPage).put("toPage", toPage).put("rows", rows)
          .put("digest", hex(digest)).put("rawBytes", rawBytes).put("chunks", arr(chunks, ChunkRef::toJson));
    }

    static Part fromJson(JsonObject j) {
      return new Part(j.getLong("fromPage"), j.getLong("toPage"), j.getLong("rows"),
          Long.parseUnsignedLong(j.getString("digest"), 16), j.getLong("rawBytes"),
          list(j.getJsonArray("chunks"), ChunkRef::fromJson));
    }
  }

  /** A sequence's state in the snapshot; ownerSchema/ownerName: the table owning it (serial, identity), or null. */
  public record Sequence(String schema, String name, long lastValue, boolean isCalled, String ownerSchema,
      String ownerName) {
    public String sqlName() {
      return Sql.ident(schema) + "." + Sql.ident(name);
    }

    JsonObject toJson() {
      return new JsonObject().put("schema", schema).put("name", name).put("lastValue", lastValue)
          .put("isCalled", isCalled).put("ownerSchema", ownerSchema).put("ownerName", ownerName);
    }

    static Sequence fromJson(JsonObject j) {
      return new Sequence(j.getString("schema"), j.getString("name"), j.getLong("lastValue"), j.getBoolean("isCalled"),
          j.getString("ownerSchema"), j.getString("ownerName"));
    }
  }

  /** Materialized views in refresh (dependency) order; only populated ones are refreshed on restore. */
  public record Matview(String schema, String name, boolean populated) {
    public String sqlName() {
      return Sql.ident(schema) + "." + Sql.ident(name);
    }

    JsonObject toJson() {
      return new JsonObject().put("schema", schema).put("name", name).put("populated", populated);
    }

    static Matview fromJson(JsonObject j) {
      return new Matview(j.getString("schema"), j.getString("name"), j.getBoolean("populated"));
    }
  }

  public long totalRows() {
    return tables.stream().mapToLong(Table::rows).sum();
  }

  public long totalRawBytes() {
    return tables.stream().flatMap(t -> t.parts().stream()).mapToLong(Part::rawBytes).sum();
  }

  public long storedBytes() {
    long n = schemaChunks.stream().mapToLong(ChunkRef::storedLength).sum();
    if (globals != null) {
      n += globals.chunks().stream().mapToLong(ChunkRef::storedLength).sum();
    }
    for (Table t : tables) {
      for (Part p : t.parts()) {
        n += p.chunks().stream().mapToLong(ChunkRef::storedLength).sum();
      }
    }
    return n;
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject()
        .put("formatVersion", formatVersion)
        .put("id", id)
        .put("database", database)
        .put("toolVersion", toolVersion)
        .put("serverVersion", serverVersion)
        .put("serverVersionNum", serverVersionNum)
        .put("pgDumpVersion", pgDumpVersion)
        .put("encoding", encoding)
        .put("snapshotId", snapshotId)
        .put("snapshotTime", snapshotTime.toString())
        .put("started", started.toString())
        .put("finished", finished.toString())
        .put("options", options)
        .put("schemaChunks", arr(schemaChunks, ChunkRef::toJson))
        .put("tables", arr(tables, Table::toJson))
        .put("sequences", arr(sequences, Sequence::toJson))
        .put("matviews", arr(matviews, Matview::toJson))
        .put("content", content.label());
    if (copySettings != null) {
      JsonObject cs = new JsonObject();
      copySettings.forEach(cs::put);
      j.put("copySettings", cs);
    }
    if (locale != null) {
      j.put("locale", locale.toJson());
    }
    return globals == null ? j : j.put("globals", globals.toJson());
  }

  public byte[] toBytes() {
    return toJson().encodePrettily().getBytes(StandardCharsets.UTF_8);
  }

  /** Parses manifest JSON; any missing or mistyped field is ARCHIVE_CORRUPT naming the source. */
  public static Manifest parse(byte[] json, String source) {
    try {
      JsonObject j = new JsonObject(new String(json, StandardCharsets.UTF_8));
      int version = j.getInteger("formatVersion");
      if (version > FORMAT_VERSION) {
        throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, "manifest of " + source + " has format version "
            + version + ", this cairn reads up to " + FORMAT_VERSION, "use a newer cairn to read this archive");
      }
      return new Manifest(version, j.getString("id"), j.getString("database"), j.getString("toolVersion"),
          j.getString("serverVersion"), j.getInteger("serverVersionNum"), j.getString("pgDumpVersion"),
          j.getString("encoding"), j.getString("snapshotId"), Instant.parse(j.getString("snapshotTime")),
          Instant.parse(j.getString("started")), Instant.parse(j.getString("finished")),
          j.getJsonObject("options", new JsonObject()), list(j.getJsonArray("schemaChunks"), ChunkRef::fromJson),
          list(j.getJsonArray("tables"), Table::fromJson), list(j.getJsonArray("sequences"), Sequence::fromJson),
          list(j.getJsonArray("matviews"), Matview::fromJson), Globals.fromJson(j.getJsonObject("globals")),
          Content.of(j.getString("content", Content.ALL.label())), copySettings(j.getJsonObject("copySettings")),
          Locale.fromJson(j.getJsonObject("locale")));
    } catch (CairnException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, "manifest of " + source + " is not valid: " + e, null,
          null, e);
    }
  }

  private static Map<String, String> copySettings(JsonObject j) {
    if (j == null) {
      return null;
    }
    Map<String, String> m = new LinkedHashMap<>();
    j.forEach(e -> m.put(e.getKey(), String.valueOf(e.getValue())));
    return m;
  }

  static String hex(long v) {
    return String.format("%016x", v);
  }

  private static <T> JsonArray arr(List<T> items, Function<T, JsonObject> f) {
    JsonArray a = new JsonArray();
    items.forEach(i -> a.add(f.apply(i)));
    return a;
  }

  private static <T> List<T> list(JsonArray a, Function<JsonObject, T> f) {
    List<T> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(f.apply(a.getJsonObject(i)));
    }
    return List.copyOf(out);
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(a.getString(i));
    }
    return List.copyOf(out);
  }
}
