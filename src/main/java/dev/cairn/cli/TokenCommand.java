package dev.cairn.cli;

import dev.cairn.config.HttpConfig;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "token",
    description = "Make a new API token: prints the token, then the line to add under http.tokens in the agent's"
        + " configuration (which holds only the token's SHA-256).")
final class TokenCommand implements Callable<Integer> {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Spec CommandSpec cmd;

  @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, operator or admin")
  String role;

  @Option(names = "--name", paramLabel = "NAME",
      description = "who holds it; shown in the audit log (default: ROLE-DATE)")
  String name;

  @Override
  public Integer call() {
    String r = role.trim().toLowerCase(Locale.ROOT);
    if (!HttpConfig.Role.LABELS.contains(r)) {
      throw new CairnException(ErrorCode.USAGE, "--role \"" + role + "\" is not one of "
          + String.join(", ", HttpConfig.Role.LABELS));
    }
    String n = name == null ? r + "-" + LocalDate.now(ZoneOffset.UTC).toString().replace("-", "") : name;
    if (!HttpConfig.TOKEN_NAME.matcher(n).matches()) {
      throw new CairnException(ErrorCode.USAGE, "--name \"" + n + "\" must be 1 to 63 letters, digits, _ . @ or -,"
          + " starting with a letter or digit");
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    PrintWriter out = cmd.commandLine().getOut();
    out.println(token);
    out.println("    - {name: " + n + ", role: " + r + ", sha256: " + HttpConfig.sha256Hex(token) + "}");
    out.flush(); // before the explanation on stderr, so a terminal shows them in order
    PrintWriter err = cmd.commandLine().getErr();
    err.println("The first line is the token: give it to its holder now; it is not stored anywhere.");
    err.println("Add the second line under http.tokens in the agent's configuration and restart the agent.");
    err.println("Use it as: curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8432/api/v1/backups");
    return 0;
  }
}
