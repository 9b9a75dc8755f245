package dev.cairn.http;

import static dev.cairn.http.ApiAgent.ADMIN;
import static dev.cairn.http.ApiAgent.OPERATOR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of malformed ids, paths, query strings and bodies (archive imports among them), sent as raw
 * HTTP/1.1 so that nothing is cleaned up on the way: no answer is a 5xx, and no file outside the
 * repository (nor any archive in it) is created, changed or removed.
 */
class FuzzIT {
  @TempDir Path dir;

  private static final List<String> SEGMENTS = List.of("..", "%2e%2e", "%2e%2e%2f", "..%2f..%2f..%2fetc%2fpasswd",
      "..%252f..%252fetc", "%2F", "%2f", "a%2Fb", "%00", "a%00b", "%zz", "%", "%%", "%u002e", "x".repeat(3000),
      "é", "%C3%A9", "%E2%80%AE", "%FF%FE", "%C0%AE%C0%AE", "~", "*", "latest", ".", "...", ";", "a;b=c",
      "jobs.history", "..%5c..%5cwin.ini", "%5c", "app-20260101T020000Z%2f..", "app-20260101T020000Z.cairn",
      ".app-20260101T020000Z.cairn.partial", "app-20260101T020000Z%00.cairn", "j-20260101T020000-zzzz",
      "j-20260101T020000-abcd%2f..", "-1", "99999999999999999999", "%20", "+", "a b", "\u202e", "..\\..\\x");
  private static final List<String> TEMPLATES = List.of("/api/v1/backups/{s}", "/api/v1/backups/{s}/archive",
      "/api/v1/jobs/{s}", "/api/v1/{s}", "/api/v1/backups?database={s}", "/api/v1/jobs?limit={s}&active={s}",
      "/{s}/api/v1/backups", "/api/v1/backups/{s}/../../../../etc/passwd", "/api/v1/{s}/retention/run",
      "/api/v1/backups/{s}/archive?ticket={s}", "/api/v1/backups/{s}/download-ticket");
  private static final List<String> BODIES = List.of("", "{", "}", "null", "[]", "\"x\"", "1", "true", "{\"database\":null}",
      "{\"database\":1}", "{\"database\":[]}", "{\"database\":{}}", "{\"database\":\"../../etc\"}",
      "{\"database\":\"a%2fb\"}", "{\"database\":\"\\u0000\"}", "{\"database\":\"" + "y".repeat(5000) + "\"}",
      "{\"dryRun\":\"true\"}", "{\"dryRun\":1}", "{\"dryRun\":null}", "{\"x\":1}", "{\"database\":\"a\",\"database\":2}",
      "[".repeat(20000), "{\"a\":".repeat(5000), "{\"database\":\"a\"}garbage", "\u0000\u0001\u0002",
      "{\"dryRun\":true,\"database\":\"..\"}", "{\"dryRun\":true,\"extra\":[1,2,3]}", "{'database':'a'}",
      "{\"database\":\"a\"".repeat(10), "x".repeat(70_000));

  private record Answer(int status, String head) {}

  private int port;

  private Answer raw(String method, String target, String token, byte[] body, String contentType) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      ByteArrayOutputStream req = new ByteArrayOutputStream();
      req.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
          .getBytes(StandardCharsets.UTF_8));
      if (token != null) {
        req.write(("Authorization: Bearer " + token + "\r\n").getBytes(StandardCharsets.UTF_8));
      }
      if (body != null) {
        req.write(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        if (contentType != null) {
          req.write(("Content-Type: " + contentType + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
      }
      req.write("\r\n".getBytes(StandardCharsets.UTF_8));
      if (body != null) {
        req.write(body);
      }
      OutputStream out = s.getOutputStream();
      try {
        out.write(req.toByteArray());
        out.flush();
      } catch (IOException e) {
        // the server may answer (413) and close before reading everything
      }
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n' && line.length() < 200) {
        line.append((char) c);
      }
      String head = line.toString().trim();
      if (head.isEmpty()) {
        return new Answer(0, "(connection closed without an answer)");
      }
      String[] parts = head.split(" ");
      return new Answer(Integer.parseInt(parts[1]), head);
    }
  }

  private static Map<String, String> tree(Path root, Path skip) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.toList()) {
        if (p.equals(skip)) {
          continue;
        }
        String rel = root.relativize(p).toString();
        if (rel.contains("locks/")) {
          continue; // the agent renews its lease while it runs
        }
        if (Files.isDirectory(p)) {
          try (Stream<Path> in = Files.list(p)) {
            if (in.findAny().isEmpty() && !p.equals(root)) {
              continue; // an emptied upload directory (repo/incoming/) holds nothing
            }
          }
          out.put(rel + "/", "dir");
        } else {
          byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
          out.put(rel, HexFormat.of().formatHex(d) + " " + Files.getLastModifiedTime(p).toMillis());
        }
      }
    }
    return out;
  }

  @Test
  void thousandsOfMalformedRequestsGetNo5xxAndTouchNoFileOutsideTheRepository() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "do not touch");
    Files.writeString(dir.resolve("passwd"), "root:x:0:0");
    Path cwdUploads = Path.of("file-uploads");
    boolean uploadsBefore = Files.exists(cwdUploads);
    try (ApiAgent api = ApiAgent.start(dir, "api_fuzz", "  rate_limit_per_minute: 0\n")) {
      port = api.port;
      String id = api.backup().getString("backupId");
      Path history = api.repo.resolve("jobs.history");
      Map<String, String> before = tree(dir, history);

      List<String> fives = new ArrayList<>();
      int sent = 0;
      Random random = new Random(4);
      for (String template : TEMPLATES) {
        for (String seg : SEGMENTS) {
          String target = template.replace("{s}", seg);
          for (String method : new String[] {"GET", "DELETE", "HEAD", "POST", "PUT"}) {
            String token = random.nextInt(5) == 0 ? null : ADMIN;
            byte[] body = method.equals("POST") ? BODIES.get(random.nextInt(BODIES.size())).getBytes(StandardCharsets.UTF_8) : null;
            Answer a = raw(method, target, token, body, "application/json");
            sent++;
            if (a.status() >= 500 || a.status() == 0) {
              fives.add(method + " " + target + " -> " + a.head());
            }
          }
        }
        // the real id, read-only, with hostile suffixes
        for (String seg : SEGMENTS) {
          Answer a = raw("GET", "/api/v1/backups/" + id + seg, ADMIN, null, null);
          sent++;
          if (a.status() >= 500 || a.status() == 0) {
            fives.add("GET /api/v1/backups/" + id + seg + " -> " + a.head());
          }
        }
      }
      for (String path : List.of("/api/v1/backups", "/api/v1/retention/run")) {
        for (String b : BODIES) {
          for (String type : new String[] {"application/json", "text/plain", null, "application/json; charset=latin1"}) {
            Answer a = raw("POST", path, OPERATOR, b.getBytes(StandardCharsets.UTF_8), type);
            sent++;
            if (a.status() >= 500 || a.status() == 0 || a.status() / 100 == 2) {
              fives.add("POST " + path + " " + b.substring(0, Math.min(40, b.length())) + " (" + type + ") -> " + a.head());
            }
          }
        }
      }
      // Imports (admin): hostile bodies, and the real archive cut short or with bytes changed. Its backup
      // exists, so even an upload that verifies is refused (409): nothing may ever be added.
      byte[] archive = Files.readAllBytes(api.repo.resolve(id + ".cairn"));
      List<byte[]> uploads = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        byte[] u = i % 3 == 0 ? Arrays.copyOf(archive, random.nextInt(archive.length)) : archive.clone();
        for (int k = 0; i % 3 != 0 && k <= random.nextInt(4); k++) {
          u[random.nextInt(u.length)] ^= (byte) (1 + random.nextInt(255));
        }
        uploads.add(u);
      }
      uploads.add(archive);
      for (String b : BODIES) {
        for (String type : new String[] {"application/octet-stream", null, "application/json"}) {
          Answer a = raw("POST", "/api/v1/backups/import", ADMIN, b.getBytes(StandardCharsets.UTF_8), type);
          sent++;
          if (a.status() >= 500 || a.status() == 0 || a.status() / 100 == 2) {
            fives.add("POST import " + b.substring(0, Math.min(40, b.length())) + " (" + type + ") -> " + a.head());
          }
        }
      }
      for (int i = 0; i < uploads.size(); i++) {
        Answer a = raw("POST", "/api/v1/backups/import", ADMIN, uploads.get(i), "application/octet-stream");
        sent++;
        if (a.status() >= 500 || a.status() == 0 || a.status() / 100 == 2) {
          fives.add("POST import of changed archive " + i + " -> " + a.head());
        }
      }
      for (int i = 0; i < 1200; i++) {
        byte[] body = new byte[random.nextInt(300)];
        random.nextBytes(body);
        String path = i % 2 == 0 ? "/api/v1/backups" : "/api/v1/retention/run";
        Answer a = raw("POST", path, OPERATOR, body, "application/json");
        sent++;
        if (a.status() >= 500 || a.status() == 0 || a.status() / 100 == 2) {
          fives.add("POST " + path + " random body " + i + " -> " + a.head());
        }
        // random header-ish garbage in the Range of a real download
        Answer r = raw("GET", "/api/v1/backups/" + id + "/archive", OPERATOR, null, null);
        sent++;
        if (r.status() != 200) {
          fives.add("GET archive -> " + r.head());
        }
      }
      assertTrue(sent > 3000, "sent " + sent);
      assertEquals(List.of(), fives);
      assertEquals(before, tree(dir, history), "files outside the repository and the archives are untouched");
      assertEquals(200, api.get("/api/v1/health", null).statusCode(), "the agent still answers");
    }
    assertEquals(uploadsBefore, Files.exists(cwdUploads), "no upload directory created in the working directory");
    assertFalse(Files.exists(dir.resolve("etc")));
  }
}
