package dev.cairn.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;

/** Registers one pass-through codec for every message record; the agent's bus is local to the JVM. */
public final class Bus {
  private Bus() {}

  private static final Class<?>[] TYPES = Messages.class.getDeclaredClasses();

  public static void register(Vertx vertx) {
    for (Class<?> type : TYPES) {
      if (type.isRecord()) {
        register(vertx, type);
      }
    }
  }

  private static <T> void register(Vertx vertx, Class<T> type) {
    vertx.eventBus().registerDefaultCodec(type, new LocalCodec<>(type.getName()));
  }

  /** Delivery options for requests that may take a while to answer (e.g. a retention run). */
  public static DeliveryOptions slow() {
    return new DeliveryOptions().setSendTimeout(10 * 60_000);
  }

  private static final class LocalCodec<T> implements MessageCodec<T, T> {
    private final String name;

    LocalCodec(String name) {
      this.name = name;
    }

    @Override
    public void encodeToWire(Buffer buffer, T t) {
      throw new UnsupportedOperationException("cairn messages are local: " + name);
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("cairn messages are local: " + name);
    }

    @Override
    public T transform(T t) {
      return t; // records are immutable: sharing them is safe
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
