package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium (Debian's chromium and chromium-driver, installed by
 * scripts/test): sign in with a token, see the history, run a backup now, see it succeed, download, verify
 * and restore from a backup's row. Selenium is
 * pointed at /usr/bin/chromedriver and /usr/bin/chromium so that Selenium Manager downloads nothing.
 */
public class ConsoleBrowserIT {
  static final String CHROMIUM = System.getProperty("cairn.chromium", "/usr/bin/chromium");
  static final String CHROMEDRIVER = System.getProperty("cairn.chromedriver", "/usr/bin/chromedriver");

  @TempDir Path dir;

  /** Headless Chromium with its own profile; downloads go to {@code profile/downloads} without asking. */
  public static WebDriver browser(Path profile) {
    for (String f : new String[] {CHROMIUM, CHROMEDRIVER}) {
      if (!Files.isExecutable(Path.of(f))) {
        throw new AssertionError(f + " is missing: the browser test needs Debian's chromium and chromium-driver"
            + " (scripts/test installs them as root; else: apt-get install chromium chromium-driver)");
      }
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new", "--no-sandbox",
        "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions", "--window-size=1280,1400",
        "--user-data-dir=" + profile);
    options.setExperimentalOption("prefs", java.util.Map.of("download.default_directory",
        profile.resolve("downloads").toString(), "download.prompt_for_download", false));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
        .usingAnyFreePort().build();
    try {
      return new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      throw new AssertionError("cannot start headless chromium (" + CHROMIUM + ") through " + CHROMEDRIVER + ": " + e, e);
    }
  }

  @Test
  void signInSeeTheHistoryRunABackupNowAndSeeItSucceed() throws Exception {
    try (ApiAgent api = ApiAgent.start(dir, "api_browser", "")) {
      JsonObject first = api.backup();
      assertEquals("succeeded", first.getString("state"), first.encode());
      String firstId = first.getString("backupId");
      WebDriver web = browser(Files.createDirectories(dir.resolve("chromium-profile")));
      try {
        WebDriverWait wait = new WebDriverWait(web, Duration.ofSeconds(30));
        web.get(api.uri("/").toString());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));

        // a wrong token: a clear message, still signed out
        web.findElement(By.id("token")).sendKeys(ApiAgent.WRONG);
        web.findElement(By.id("signin-button")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-error")));
        assertTrue(error.getText().contains("401"), error.getText());

        web.findElement(By.id("token")).sendKeys(ApiAgent.ADMIN);
        web.findElement(By.id("signin-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("who-role"), "admin"));
        By firstRow = By.cssSelector("#history tr[data-kind='backup'][data-id='" + firstId + "']");
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(firstRow));
        assertTrue(row.getText().contains("ok"), row.getText());
        assertEquals("the-admin", web.findElement(By.id("who-name")).getText());
        assertTrue(web.findElement(By.id("repo-size")).getText().matches(".*[KMG]?B"),
            web.findElement(By.id("repo-size")).getText());

        By okRows = By.cssSelector("#history tr[data-kind='backup'][data-status='ok']");
        assertEquals(1, web.findElements(okRows).size());
        web.findElement(By.cssSelector("button.run-backup[data-database='" + api.db + "']")).click();
        // well within the console's 30 s full reload: it notices the job's end by polling the jobs
        new WebDriverWait(web, Duration.ofSeconds(15)).until(ExpectedConditions.numberOfElementsToBe(okRows, 2));
        List<WebElement> rows = web.findElements(okRows);
        String newest = rows.get(0).getDomAttribute("data-id");
        assertTrue(newest.startsWith(api.db + "-") && !newest.equals(firstId), newest);
        assertTrue(rows.get(0).getText().contains("ok"), rows.get(0).getText());
        JsonObject listed = api.json(api.get("/api/v1/backups", ApiAgent.VIEWER), 200);
        assertEquals(newest, listed.getJsonArray("backups").getJsonObject(0).getString("id"));
        assertEquals("", web.findElement(By.id("banner")).getText(), "no error banner");
        // the chart has a bar per backup
        wait.until(d -> d.findElements(By.cssSelector("#chart svg rect.bar")).size() == 2);

        // Verify from the backup's row: a verify job that succeeds
        web.findElement(By.cssSelector("#history tr[data-id='" + firstId + "'] button.verify")).click();
        JsonObject verify = api.waitFor(jobOf(api, "verify", firstId));
        assertEquals("succeeded", verify.getString("state"), verify.encode());

        // Download: the browser itself fetches the archive (with a ticket) and writes it to disk
        Path profile = dir.resolve("chromium-profile");
        clickWhenStable(wait, By.cssSelector("#history tr[data-id='" + firstId + "'] button.download"));
        Path downloaded = profile.resolve("downloads").resolve(firstId + ".cairn");
        new WebDriverWait(web, Duration.ofSeconds(30)).until(d -> Files.isRegularFile(downloaded)
            && !Files.exists(downloaded.resolveSibling(firstId + ".cairn.crdownload")));
        assertEquals(-1L, Files.mismatch(api.repo.resolve(firstId + ".cairn"), downloaded), "downloaded byte for byte");
        assertEquals("", web.findElement(By.id("banner")).getText(), "no error banner");

        // Restore: the dialog asks for the target database's name before it restores
        String restored = "api_browser_restored_" + Long.toHexString(System.nanoTime());
        try {
          web.findElement(By.cssSelector("#history tr[data-id='" + firstId + "'] button.restore")).click();
          wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("restore-target")))
              .sendKeys(ApiAgent.PG.conninfo(restored));
          web.findElement(By.cssSelector("input[name='restore-mode'][value='create']")).click();
          assertEquals(restored, web.findElement(By.id("restore-dbname")).getText());
          assertTrue(!web.findElement(By.id("restore-go")).isEnabled(), "disabled until the name is typed");
          web.findElement(By.id("restore-confirm")).sendKeys(restored);
          web.findElement(By.id("restore-go")).click();
          wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("restore-target")));
          JsonObject restore = api.waitFor(jobOf(api, "restore", firstId));
          assertEquals("succeeded", restore.getString("state"), restore.encode());
          assertEquals(restored, restore.getString("database"));
        } finally {
          ApiAgent.PG.dropDatabase(restored);
        }
        assertEquals("", web.findElement(By.id("banner")).getText(), "no error banner");

        // A flipped byte: Verify turns the backup red, with the problem named and Restore disabled
        dev.cairn.testkit.Damage.flipByteInChunk(api.repo.resolve(newest + ".cairn"), "t", 0);
        clickWhenStable(wait, By.cssSelector("#history tr[data-id='" + newest + "'] button.verify"));
        By failedRow = By.cssSelector("#history tr[data-kind='backup'][data-id='" + newest + "'][data-status='failed']");
        WebElement bad = wait.until(ExpectedConditions.visibilityOfElementLocated(failedRow));
        assertTrue(bad.getDomAttribute("class").contains("row-bad"), bad.getDomAttribute("class"));
        assertTrue(bad.getText().contains("verification failed") && bad.getText().contains("chunk"), bad.getText());
        assertTrue(!bad.findElement(By.cssSelector("button.restore")).isEnabled(), "a failed backup is never restored");
        assertTrue(bad.findElement(By.cssSelector("button.download")).isEnabled(), "an admin may still download it");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("repo-detail"), "1 failed verification"));

        screenshot(web, "console.png");
        web.manage().window().setSize(new Dimension(390, 1800)); // a phone: the chart is redrawn at its width
        // the chart may be redrawn between finding it and reading it (a refresh): look again then
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
            .until(d -> d.findElement(By.cssSelector("#chart svg")).getDomAttribute("viewBox").matches("0 0 [1-4]\\d\\d .*"));
        screenshot(web, "console-phone.png");

        web.findElement(By.id("signout")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertEquals(null, ((org.openqa.selenium.JavascriptExecutor) web)
            .executeScript("return sessionStorage.getItem('cairn.token')"));

        // a viewer sees the same history but no button it could not use
        web.manage().window().setSize(new Dimension(1280, 1400));
        web.findElement(By.id("token")).sendKeys(ApiAgent.VIEWER);
        web.findElement(By.id("signin-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("who-role"), "viewer"));
        wait.until(ExpectedConditions.numberOfElementsToBe(okRows, 1));
        assertEquals(0, web.findElements(By.cssSelector("button.run-backup")).size(), "no run button for a viewer");
        assertEquals(0, web.findElements(By.cssSelector("button.delete")).size(), "no delete button for a viewer");
        for (WebElement b : web.findElements(By.cssSelector("button.download, button.verify, button.restore"))) {
          assertTrue(!b.isEnabled(), b.getText() + " is disabled for a viewer");
        }
      } finally {
        web.quit();
      }
    }
  }

  /** Clicks what {@code at} finds; the history re-renders on job events, so a replaced button is found again. */
  private static void clickWhenStable(WebDriverWait wait, By at) {
    wait.until(d -> {
      try {
        d.findElement(at).click();
        return true;
      } catch (org.openqa.selenium.StaleElementReferenceException replaced) {
        return false;
      }
    });
  }

  @Test
  void aRestoreBuildingIndexesShowsThatPhaseAndHowLongItHasRunNotANearlyFullBar() throws Exception {
    try (ApiAgent api = ApiAgent.start(dir, "api_phase", "")) {
      // An index whose build takes at least 8 s on the server: its function sleeps 10 ms a row. The index is
      // made while the function is fast; its statistics target 0 keeps ANALYZE from calling it.
      ApiAgent.PG.psql(api.db, "CREATE FUNCTION public.slow(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE"
          + " AS $$ BEGIN RETURN i; END $$;"
          + " CREATE TABLE slow_t (i int); INSERT INTO slow_t SELECT generate_series(1, 800);"
          + " CREATE INDEX slow_idx ON slow_t (public.slow(i)); ALTER INDEX slow_idx ALTER COLUMN 1 SET STATISTICS 0;"
          + " CREATE OR REPLACE FUNCTION public.slow(i int) RETURNS int LANGUAGE plpgsql IMMUTABLE"
          + " AS $$ BEGIN PERFORM pg_sleep(0.01); RETURN i; END $$;");
      JsonObject backup = api.backup();
      assertEquals("succeeded", backup.getString("state"), backup.encode());
      WebDriver web = browser(Files.createDirectories(dir.resolve("chromium-profile")));
      String target = "api_phase_restored_" + Long.toHexString(System.nanoTime());
      try {
        WebDriverWait wait = new WebDriverWait(web, Duration.ofSeconds(30));
        web.get(api.uri("/").toString());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(ApiAgent.ADMIN);
        web.findElement(By.id("signin-button")).click();
        wait.until(ExpectedConditions.textToBe(By.id("who-role"), "admin"));

        String body = new JsonObject().put("target", ApiAgent.PG.conninfo(target)).put("create", true).encode();
        String jobId = api.json(api.send("POST", "/api/v1/backups/" + backup.getString("backupId") + "/restore",
            ApiAgent.ADMIN, body), 202).getJsonObject("job").getString("id");
        By building = By.cssSelector("#running .job[data-job='" + jobId + "'][data-phase='building-indexes']");
        WebElement job = wait.until(ExpectedConditions.visibilityOfElementLocated(building));
        String text = job.findElement(By.cssSelector(".progress-text")).getText();
        assertTrue(text.matches("building indexes · [0-9.]+ s · .*"), text);
        assertTrue(!text.contains("%") && !text.contains("done in"), "no percent, no estimate: " + text);
        WebElement bar = job.findElement(By.cssSelector(".progress"));
        assertTrue(bar.getDomAttribute("class").contains("indeterminate"), bar.getDomAttribute("class"));
        assertEquals(null, bar.getDomAttribute("aria-valuenow"));
        assertEquals("building indexes", bar.getDomAttribute("aria-valuetext"));
        screenshot(web, "console-phase.png");

        // the JSON the console reads: after the data, every phase is unmeasured
        JsonObject now = api.json(api.get("/api/v1/jobs/" + jobId, ApiAgent.VIEWER), 200);
        if (now.getString("state").equals("running")) {
          assertEquals(null, now.getValue("percent"), now.encode());
          assertEquals(null, now.getValue("estimatedFinish"), now.encode());
          assertTrue(now.getString("phaseStarted") != null, now.encode());
        }
        JsonObject done = api.waitFor(jobId);
        assertEquals("succeeded", done.getString("state"), done.encode());
        assertEquals(100, done.getInteger("percent"));
      } finally {
        web.quit();
        ApiAgent.PG.dropDatabase(target);
      }
    }
  }

  /** The id of the newest job of {@code kind} for backup {@code backupId}, waiting for it to appear. */
  private static String jobOf(ApiAgent api, String kind, String backupId) throws Exception {
    long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
    while (true) {
      for (Object o : api.json(api.get("/api/v1/jobs", ApiAgent.VIEWER), 200).getJsonArray("jobs")) {
        JsonObject j = (JsonObject) o;
        if (kind.equals(j.getString("kind")) && backupId.equals(j.getString("backupId"))) {
          return j.getString("id");
        }
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("no " + kind + " job for " + backupId);
      }
      java.util.concurrent.TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  private static void screenshot(WebDriver web, String name) throws Exception {
    File shot = ((org.openqa.selenium.TakesScreenshot) web).getScreenshotAs(OutputType.FILE);
    Path out = Path.of("target", "console-screenshots", name);
    Files.createDirectories(out.getParent());
    Files.copy(shot.toPath(), out, StandardCopyOption.REPLACE_EXISTING);
  }
}
