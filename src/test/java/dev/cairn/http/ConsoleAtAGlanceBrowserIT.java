package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.TcpProxy;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console as an operator keeps it open (issue 16), in one headless Chromium against one agent with two
 * databases: a healthy one with a table split into many parts, scheduled in Europe/Berlin, and "zz_broken",
 * which cannot be reached (its URL carries a password). The browser runs in America/New_York. Reached
 * through a proxy that the test cuts to play an agent that stops answering. Screenshots of each state go to
 * target/console-screenshots/.
 */
class ConsoleAtAGlanceBrowserIT {
  static final String SECRET = "hunter2-glance-secret";
  static final Path SHOTS = Path.of("target", "console-screenshots");

  @TempDir Path dir;

  @Test
  void aFailingDatabaseComesFirstTimesCarryZonesPartsMoveHistoryFiltersAndTheAgentGoingAwayGreysEverything()
      throws Exception {
    String extra = "    split_size: 1MB\n    timezone: Europe/Berlin\n    retention: {keep_last: 2}\n"
        + "  - name: zz_broken\n    url: postgresql://nobody:" + SECRET + "@127.0.0.1:1/broken?connect_timeout=2\n"
        + "    schedule: \"0 3 * * *\"\n    timezone: Asia/Tokyo\n";
    try (ApiAgent api = ApiAgent.start(dir, "api_glance", true, "", "", extra, HttpClient.newHttpClient());
        TcpProxy proxy = new TcpProxy(api.port)) {
      JsonObject first = api.backup();
      assertEquals("succeeded", first.getString("state"), first.encode());
      // then about 300 MB in 1 MB parts: the next backup (one job) copies for several of the console's
      // one-second polls also on a quiet machine (there 100 MB was copied within about one poll)
      ApiAgent.PG.psql(api.db, "CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 6) AS pad"
          + " FROM generate_series(1, 1500000) g");
      JsonObject failed = api.waitFor(api.json(api.send("POST", "/api/v1/backups", ApiAgent.OPERATOR,
          "{\"database\":\"zz_broken\"}"), 202).getJsonObject("job").getString("id"));
      assertEquals("failed", failed.getString("state"));

      WebDriver web = ConsoleBrowserIT.browser(Files.createDirectories(dir.resolve("chromium-profile")));
      ChromeDriver chrome = (ChromeDriver) web;
      JavascriptExecutor js = (JavascriptExecutor) web;
      try {
        chrome.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "America/New_York"));
        WebDriverWait wait = new WebDriverWait(web, Duration.ofSeconds(30));
        web.get("http://127.0.0.1:" + proxy.port() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(ApiAgent.ADMIN);
        web.findElement(By.id("signin-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("who-role"), "admin"));
        assertEquals("America/New_York", js.executeScript("return Intl.DateTimeFormat().resolvedOptions().timeZone"));

        // problems first: the summary names the failing database, its card comes first, title and favicon say so
        WebElement summary = wait.until(ExpectedConditions.visibilityOfElementLocated(
            By.cssSelector("#summary[data-level='critical']")));
        assertTrue(summary.findElement(By.cssSelector(".summary-head")).getText().contains("zz_broken"), summary.getText());
        WebElement problem = summary.findElement(By.cssSelector("li.problem"));
        assertEquals("zz_broken", problem.getDomAttribute("data-database"));
        assertEquals("critical", problem.getDomAttribute("data-severity"));
        assertTrue(problem.getText().contains("DB_CONNECT"), problem.getText());
        List<WebElement> cards = web.findElements(By.cssSelector("#databases .db"));
        assertEquals(List.of("zz_broken", api.db), cards.stream().map(c -> c.getDomAttribute("data-database")).toList(),
            "failing first, though it sorts last by name");
        assertTrue(web.getTitle().contains("failing") && web.getTitle().contains("zz_broken"), web.getTitle());
        assertEquals("critical", web.findElement(By.id("favicon")).getDomAttribute("data-state"));
        assertTrue(web.findElement(By.id("favicon")).getDomAttribute("href").startsWith("data:image/svg+xml"));

        // times: the schedule's zone beside the browser's, relative times, ISO tooltips, seconds in the history
        WebElement next = web.findElement(By.cssSelector(".db[data-database='" + api.db + "'] .next-run time"));
        assertTrue(next.getText().contains("(Europe/Berlin)") && next.getText().contains("your time")
            && next.getText().matches("(?s).*\\bin \\d.*"), next.getText());
        assertTrue(next.getDomAttribute("title").matches("\\d{4}-\\d\\d-\\d\\dT.*"), next.getDomAttribute("title"));
        WebElement brokenNext = web.findElement(By.cssSelector(".db[data-database='zz_broken'] .next-run time"));
        assertTrue(brokenNext.getText().contains("(Asia/Tokyo)"), brokenNext.getText());
        WebElement finished = web.findElement(By.cssSelector("#history tr[data-kind='backup'] td.time time"));
        assertTrue(finished.getText().matches(".*\\d\\d:\\d\\d:\\d\\d.*"), "seconds: " + finished.getText());
        assertTrue(finished.getText().matches(".*\\b(EST|EDT|GMT-[45])\\b.*"), "the browser's zone: " + finished.getText());

        // no password anywhere on the page, though the broken database's URL has one
        assertFalse(web.getPageSource().contains(SECRET), "the password is on the page");
        screenshot(web, "01-failing-first.png");
        // features this agent serves but does not use (no restore tests, no clusters): their panels stay hidden
        for (String panel : List.of("panel-restore-tests", "panel-pitr")) {
          assertFalse(web.findElement(By.id(panel)).isDisplayed(), panel);
        }
        // the repositories endpoint answers: its one repository, named local
        wait.until(d -> d.findElement(By.id("panel-repositories")).getText().contains("local"));
        // text on cards at AA contrast (4.5:1), the muted text too
        assertTrue(contrast(js, ".db dt") >= 4.5 && contrast(js, ".db dd") >= 4.5, "contrast " + contrast(js, ".db dt"));

        // a password typed into the restore dialog's target moves to its password field and is never shown
        web.findElement(By.cssSelector("#history tr[data-kind='backup'] button.restore")).click();
        WebElement target = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("restore-target")));
        target.sendKeys("postgresql://postgres:" + SECRET + "@127.0.0.1:5432/elsewhere");
        assertEquals("postgresql://postgres@127.0.0.1:5432/elsewhere", target.getDomProperty("value"));
        assertEquals(SECRET, web.findElement(By.id("restore-password")).getDomProperty("value"));
        assertEquals("password", web.findElement(By.id("restore-password")).getDomAttribute("type"));
        assertEquals("elsewhere", web.findElement(By.id("restore-dbname")).getText());
        assertFalse(((String) js.executeScript("return document.body.innerText")).contains(SECRET));
        web.findElement(By.id("restore-cancel")).click();

        // a split table's parts move while the backup copies
        web.findElement(By.cssSelector("button.run-backup[data-database='" + api.db + "']")).click();
        // read in one script: the list is redrawn every second
        String read = "const p = document.querySelector(\"#running .job[data-phase='copying'] .parts\");"
            + " return p ? [Number(p.dataset.done), Number(p.dataset.total), p.parentElement.textContent] : null";
        List<?> p1 = (List<?>) new WebDriverWait(web, Duration.ofSeconds(30), Duration.ofMillis(50))
            .until(d -> js.executeScript(read));
        int done1 = ((Number) p1.get(0)).intValue();
        int total = ((Number) p1.get(1)).intValue();
        String text = (String) p1.get(2);
        assertTrue(total >= 20 && done1 < total, done1 + " of " + total);
        assertTrue(text.startsWith("copying · ") && text.matches(".*tables \\d of 3 · parts \\d+ of " + total + ".*"), text);
        screenshot(web, "02-parts-moving.png");
        List<?> p2 = (List<?>) new WebDriverWait(web, Duration.ofSeconds(30), Duration.ofMillis(50)).until(d -> {
          List<?> now = (List<?>) js.executeScript(read);
          return now != null && ((Number) now.get(0)).intValue() > done1 ? now : null;
        });
        System.out.println("parts seen moving in the browser: " + done1 + " -> " + p2.get(0) + " of " + total);
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#history tr[data-kind='backup']"), 2));
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#chart svg rect.bar"), 2));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#retention .going li")));
        js.executeScript("document.getElementById('chart-title').scrollIntoView()");
        screenshot(web, "02b-chart-retention.png");

        // the honesty rules on jobs drawn in one script (the next poll redraws the real ones): no counts while
        // connecting, no ETA once the estimate has run out (the phase's time instead), none in an unmeasured phase
        List<?> drawn = (List<?>) js.executeScript("const s = Cairn.state, saved = s.jobs, now = Date.now();"
            + " const iso = (ms) => new Date(now + ms).toISOString();"
            + " const job = (id, phase, label, pct, eta, bytes) => ({id, kind: 'backup', database: 'x', state: 'running',"
            + "   started: iso(-9000), phase, phaseLabel: label, phaseStarted: iso(-2000), bytes, rows: bytes ? 10 : 0,"
            + "   tablesDone: 0, tablesTotal: bytes ? 3 : 0, partsDone: 0, partsTotal: 0, percent: pct, estimatedFinish: eta});"
            + " s.jobs = [job('j-1', 'connecting', 'connecting', null, null, 0),"
            + "   job('j-2', 'copying', 'copying', 99, iso(-5000), 2048), job('j-3', 'copying', 'copying', 40, iso(60000), 2048),"
            + "   job('j-4', 'analyze', 'ANALYZE', null, null, 2048)];"
            + " Cairn.renderRunning();"
            + " const out = [...document.querySelectorAll('#running .progress-text')].map(e => e.textContent);"
            + " s.jobs = saved; Cairn.renderRunning(); return out;");
        assertTrue(((String) drawn.get(0)).matches("connecting · 2\\.\\d s"), "no 0 B · 0 rows while connecting: " + drawn.get(0));
        assertTrue(((String) drawn.get(1)).matches("copying · 99 % · 2\\.\\d s · 2.0 KB.*") && !((String) drawn.get(1)).contains("ETA"),
            "an estimate that has run out: " + drawn.get(1));
        assertTrue(((String) drawn.get(2)).matches("copying · 40 % · 2.0 KB · 10 rows · tables 0 of 3 · ETA (59|60|1 min).*"),
            "an estimate ahead: " + drawn.get(2));
        assertTrue(((String) drawn.get(3)).matches("ANALYZE · 2\\.\\d s · .*") && !((String) drawn.get(3)).contains("%")
            && !((String) drawn.get(3)).contains("ETA"), "unmeasured: " + drawn.get(3));

        // the history filtered by status: only failed jobs, the broken one's detail with its code, hint and log
        new Select(web.findElement(By.id("jobs-status"))).selectByValue("failed");
        wait.until(ExpectedConditions.attributeContains(By.id("jobs"), "data-filter", "status=failed"));
        List<WebElement> rows = web.findElements(By.cssSelector("#jobs tbody tr[data-kind='job']"));
        assertFalse(rows.isEmpty());
        rows.forEach(r -> assertEquals("failed", r.getDomAttribute("data-status")));
        web.findElement(By.cssSelector("#jobs tr[data-id='" + failed.getString("id") + "'] button.details")).click();
        WebElement detail = wait.until(ExpectedConditions.visibilityOfElementLocated(
            By.cssSelector("#job-detail[data-job='" + failed.getString("id") + "']")));
        assertTrue(detail.findElement(By.cssSelector(".error-box")).getText().startsWith("DB_CONNECT"), detail.getText());
        assertTrue(detail.findElement(By.cssSelector(".error-box .hint")).getText().startsWith("hint: "), detail.getText());
        assertTrue(detail.findElement(By.cssSelector(".log")).getText().contains("backup of zz_broken failed"),
            detail.getText());
        js.executeScript("document.getElementById('jobs').scrollIntoView()");
        screenshot(web, "03-history-filtered-detail.png");
        web.findElement(By.id("job-detail-close")).click();
        // by keyboard: Enter on a Details button opens the panel with focus on Close, Escape closes it
        WebElement details = web.findElement(By.cssSelector("#jobs tr[data-id='" + failed.getString("id") + "'] button.details"));
        js.executeScript("arguments[0].focus()", details);
        new org.openqa.selenium.interactions.Actions(web).sendKeys(org.openqa.selenium.Keys.ENTER).perform();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("job-detail")));
        wait.until(d -> "job-detail-close".equals(js.executeScript("return document.activeElement.id")));
        new org.openqa.selenium.interactions.Actions(web).sendKeys(org.openqa.selenium.Keys.ESCAPE).perform();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("job-detail")));

        // dark mode: a dark page for a dark-scheme browser
        chrome.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
            List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        String bg = (String) js.executeScript("return getComputedStyle(document.body).backgroundColor");
        assertTrue(luminance(bg) < 0.1, "dark background: " + bg);
        assertTrue(contrast(js, ".db dt") >= 4.5 && contrast(js, ".problem .msg") >= 4.5, "dark contrast");
        js.executeScript("window.scrollTo(0, 0)");
        screenshot(web, "04-dark.png");
        chrome.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
            List.of(Map.of("name", "prefers-color-scheme", "value", "light"))));

        // a phone: nothing scrolls sideways
        chrome.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 390, "height", 844,
            "deviceScaleFactor", 1, "mobile", true));
        wait.until(d -> d.findElement(By.cssSelector("#chart svg")).getDomAttribute("viewBox").matches("0 0 [1-4]\\d\\d .*"));
        Object widths = js.executeScript("return [document.scrollingElement.scrollWidth, window.innerWidth]");
        List<?> w = (List<?>) widths;
        assertTrue(((Number) w.get(0)).longValue() <= ((Number) w.get(1)).longValue(), "horizontal scroll: " + widths);
        screenshot(web, "05-phone.png");
        js.executeScript("document.getElementById('history').scrollIntoView()");
        screenshot(web, "05-phone-history.png");
        chrome.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());

        // the agent stops answering: greyed, every button off, title and favicon say so; then it comes back
        proxy.cut();
        wait.until(ExpectedConditions.attributeContains(By.tagName("body"), "class", "offline"));
        assertTrue(web.findElement(By.id("banner")).getText().contains("not answering"));
        for (WebElement b : web.findElements(By.cssSelector("#app button"))) {
          assertFalse(b.isEnabled(), b.getText() + " is enabled while the agent is away");
        }
        assertEquals("offline", web.findElement(By.id("favicon")).getDomAttribute("data-state"));
        assertTrue(web.getTitle().contains("not answering"), web.getTitle());
        js.executeScript("window.scrollTo(0, 0)");
        screenshot(web, "06-disconnected.png");
        proxy.restore();
        wait.until(ExpectedConditions.not(ExpectedConditions.attributeContains(By.tagName("body"), "class", "offline")));
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("button.run-backup[data-database='" + api.db + "']")));
        assertEquals("", web.findElement(By.id("banner")).getText());
      } finally {
        web.quit();
      }
    }
  }

  /** The contrast ratio of the first {@code selector}'s text on its card's background. */
  private static double contrast(JavascriptExecutor js, String selector) {
    List<?> c = (List<?>) js.executeScript("const e = document.querySelector(arguments[0]);"
        + " let b = e; while (b && getComputedStyle(b).backgroundColor.match(/rgba\\(.*, 0\\)|transparent/)) b = b.parentElement;"
        + " return [getComputedStyle(e).color, getComputedStyle(b).backgroundColor]", selector);
    double a = luminance((String) c.get(0));
    double b = luminance((String) c.get(1));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }

  /** Relative luminance of a CSS "rgb(r, g, b)". */
  private static double luminance(String rgb) {
    String[] p = rgb.replaceAll("[^0-9,]", "").split(",");
    double[] c = new double[3];
    for (int i = 0; i < 3; i++) {
      double v = Integer.parseInt(p[i]) / 255.0;
      c[i] = v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  static void screenshot(WebDriver web, String name) throws Exception {
    File shot = ((TakesScreenshot) web).getScreenshotAs(OutputType.FILE);
    Files.createDirectories(SHOTS);
    Files.copy(shot.toPath(), SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
