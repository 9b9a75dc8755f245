package dev.cairn.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console (docs/http-api.md, "Web console"): plain HTML, CSS and JS from the jar's resources under
 * {@code cairn/console}. {@code /} answers index.html, {@code /console/*} the static files (no directory
 * listing). The page holds no data: it signs in with a token and calls the API from the browser. A strict
 * content security policy allows only the agent's own scripts, styles and API.
 */
final class Console {
  static final String INDEX_RESOURCE = "/cairn/console/index.html";
  private static final String WEBROOT = "cairn/console";
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private Console() {}

  static void mount(Router r, Buffer index) {
    r.route("/console/*").handler(Console::headers);
    r.get("/").handler(Console::headers).handler(rc -> rc.response()
        .putHeader("content-type", "text/html; charset=utf-8").putHeader("cache-control", "no-cache").end(index));
    r.route("/console/*").handler(StaticHandler.create(WEBROOT).setDirectoryListing(false).setIncludeHidden(false)
        .setCachingEnabled(true).setMaxAgeSeconds(300).setDefaultContentEncoding("UTF-8").setIndexPage("index.html"));
  }

  private static void headers(RoutingContext rc) {
    rc.response().putHeader("content-security-policy", CSP).putHeader("x-content-type-options", "nosniff")
        .putHeader("x-frame-options", "DENY").putHeader("referrer-policy", "no-referrer");
    rc.next();
  }
}
