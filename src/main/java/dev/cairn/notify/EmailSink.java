package dev.cairn.notify;

import dev.cairn.config.NotificationConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.util.Set;

/** E-mail through vertx-mail-client (non-blocking SMTP); the subject is the title, the body the facts. */
final class EmailSink extends Sink {
  private final NotificationConfig.Email config;
  private final MailClient client;

  EmailSink(Vertx vertx, String name, NotificationConfig.Email config, Set<String> events) {
    super(name, "email", events);
    this.config = config;
    NotificationConfig.Smtp s = config.smtp();
    MailConfig mc = new MailConfig().setHostname(s.host()).setPort(s.port())
        .setStarttls(s.starttls() ? StartTLSOptions.REQUIRED : StartTLSOptions.DISABLED)
        .setLogin(s.user() == null ? LoginOption.DISABLED : LoginOption.REQUIRED)
        .setConnectTimeout((int) HttpPost.TIMEOUT.toMillis()).setKeepAlive(false);
    if (s.user() != null) {
      mc.setUsername(s.user()).setPassword(s.password());
    }
    this.client = MailClient.create(vertx, mc);
  }

  @Override
  Future<Void> send(Event e) {
    MailMessage m = new MailMessage().setFrom(config.from()).setTo(config.to())
        .setSubject("[cairn] " + e.title()).setText(Text.plain(e));
    m.setHeaders(io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("X-Cairn-Event", e.id()));
    String where = "smtp " + config.smtp().host() + ":" + config.smtp().port();
    return client.sendMail(m).<Void>mapEmpty()
        .recover(ex -> Future.failedFuture(new DeliveryException(where + ": " + ex.getMessage(), true, null)));
  }

  @Override
  Future<Void> close() {
    return client.close();
  }
}
