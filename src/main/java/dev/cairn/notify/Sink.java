package dev.cairn.notify;

import io.vertx.core.Future;
import java.util.Set;

/** One configured receiver. {@link #deliver} never throws; it fails with a {@link DeliveryException}. */
abstract class Sink {
  private final String name;
  private final String kind;
  private final Set<String> events;

  /** {@code kind}: the YAML key ({@code slack}, {@code webhook}, ...), for logs and metrics. */
  Sink(String name, String kind, Set<String> events) {
    this.name = name;
    this.kind = kind;
    this.events = events;
  }

  final String name() {
    return name;
  }

  final String kind() {
    return kind;
  }

  /** The filter words of {@code events:}. */
  final Set<String> events() {
    return events;
  }

  final boolean wants(Event event) {
    return event.type().selectedBy(events);
  }

  final Future<Void> deliver(Event event) {
    try {
      return send(event);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** May throw: {@link #deliver} turns that into a failed future. */
  abstract Future<Void> send(Event event);

  /** Releases clients and connections. */
  Future<Void> close() {
    return Future.succeededFuture();
  }
}
