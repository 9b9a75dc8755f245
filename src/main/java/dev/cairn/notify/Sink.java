package dev.cairn.notify;

import io.vertx.core.Future;
import java.util.Set;

/** One configured receiver. {@link #deliver} never throws; it fails with a {@link DeliveryException}. */
interface Sink {
  String name();

  /** The YAML kind ({@code slack}, {@code webhook}, ...), for logs and metrics. */
  String kind();

  /** The filter words of {@code events:}. */
  Set<String> events();

  Future<Void> deliver(Event event);

  default boolean wants(Event event) {
    return event.type().selectedBy(events());
  }

  /** Releases clients and connections. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
