package dev.cairn.notify;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Console links for messages, from {@code http.public_url} (the fragment names the backup or job); null when unset. */
record Links(String publicUrl) {
  String backup(String id) {
    return publicUrl == null ? null : publicUrl + "/#backup=" + URLEncoder.encode(id, StandardCharsets.UTF_8);
  }

  String job(String id) {
    return publicUrl == null ? null : publicUrl + "/#job=" + URLEncoder.encode(id, StandardCharsets.UTF_8);
  }

  String home() {
    return publicUrl == null ? null : publicUrl + "/";
  }
}
