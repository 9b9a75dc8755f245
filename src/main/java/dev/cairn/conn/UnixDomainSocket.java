package dev.cairn.conn;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * A {@link java.net.Socket} over a JDK unix-domain {@link SocketChannel}, for pgjdbc. The channel is
 * non-blocking with one selector for reads and one for writes, so that {@code setSoTimeout} works (pgjdbc
 * polls for server messages during COPY FROM with a 1 ms read timeout) and a reader never holds up a
 * writer. TCP options are accepted and ignored. One thread reads and one writes at a time, as pgjdbc does.
 */
final class UnixDomainSocket extends java.net.Socket {
  private final Path path;
  private volatile SocketChannel channel;
  private Selector readable;
  private Selector writable;
  private volatile int soTimeout;
  private volatile boolean closed;
  private InputStream in;
  private OutputStream out;

  UnixDomainSocket(Path path) {
    this.path = path;
  }

  /** Connects to the socket file; {@code endpoint} (pgjdbc's host and port) is ignored. */
  @Override
  public void connect(SocketAddress endpoint) throws IOException {
    connect(endpoint, 0);
  }

  @Override
  public synchronized void connect(SocketAddress endpoint, int timeout) throws IOException {
    if (closed) {
      throw new SocketException("Socket is closed");
    }
    if (channel != null) {
      throw new SocketException("already connected");
    }
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(path)); // local: completes or fails at once
      ch.configureBlocking(false);
      readable = Selector.open();
      writable = Selector.open();
      ch.register(readable, SelectionKey.OP_READ);
      ch.register(writable, SelectionKey.OP_WRITE);
    } catch (IOException e) {
      closeQuietly(ch);
      closeQuietly(readable);
      closeQuietly(writable);
      ConnectException c = new ConnectException("cannot connect to the unix socket " + path + ": " + e.getMessage());
      c.initCause(e);
      throw c;
    }
    in = new In();
    out = new Out();
    channel = ch;
  }

  @Override
  public boolean isConnected() {
    return channel != null;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public InputStream getInputStream() throws IOException {
    open();
    return in;
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    open();
    return out;
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (channel != null) {
      closeQuietly(channel);
      closeQuietly(readable); // wakes a blocked reader or writer, which then reports the close
      closeQuietly(writable);
    }
  }

  @Override
  public void setSoTimeout(int timeout) throws SocketException {
    if (timeout < 0) {
      throw new IllegalArgumentException("timeout < 0");
    }
    soTimeout = timeout;
  }

  @Override
  public int getSoTimeout() {
    return soTimeout;
  }

  @Override
  public void setTcpNoDelay(boolean on) {
    // not TCP
  }

  @Override
  public boolean getTcpNoDelay() {
    return false;
  }

  @Override
  public void setKeepAlive(boolean on) {
    // not TCP
  }

  @Override
  public boolean getKeepAlive() {
    return false;
  }

  @Override
  public void setReceiveBufferSize(int size) throws SocketException {
    setBufferOption(StandardSocketOptions.SO_RCVBUF, size);
  }

  @Override
  public int getReceiveBufferSize() throws SocketException {
    return bufferOption(StandardSocketOptions.SO_RCVBUF);
  }

  @Override
  public void setSendBufferSize(int size) throws SocketException {
    setBufferOption(StandardSocketOptions.SO_SNDBUF, size);
  }

  @Override
  public int getSendBufferSize() throws SocketException {
    return bufferOption(StandardSocketOptions.SO_SNDBUF);
  }

  @Override
  public void shutdownInput() throws IOException {
    open().shutdownInput();
  }

  @Override
  public void shutdownOutput() throws IOException {
    open().shutdownOutput();
  }

  @Override
  public String toString() {
    return "UnixDomainSocket[" + path + (closed ? ", closed" : channel != null ? ", connected" : "") + "]";
  }

  private void setBufferOption(java.net.SocketOption<Integer> option, int size) throws SocketException {
    try {
      open().setOption(option, size);
    } catch (IOException e) {
      throw socketException(e);
    }
  }

  private int bufferOption(java.net.SocketOption<Integer> option) throws SocketException {
    try {
      return open().getOption(option);
    } catch (IOException e) {
      throw socketException(e);
    }
  }

  private SocketChannel open() throws SocketException {
    SocketChannel ch = channel;
    if (closed) {
      throw new SocketException("Socket is closed");
    }
    if (ch == null) {
      throw new SocketException("Socket is not connected");
    }
    return ch;
  }

  private static SocketException socketException(IOException e) {
    if (e instanceof SocketException s) {
      return s;
    }
    SocketException s = new SocketException(e.getMessage());
    s.initCause(e);
    return s;
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing: nothing left to report to
      }
    }
  }

  private final class In extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      int timeout = soTimeout;
      long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000L : 0;
      try {
        while (true) {
          int n = open().read(buf);
          if (n != 0) {
            return n; // bytes, or -1 at the end of the stream
          }
          long wait = 0;
          if (timeout > 0) {
            wait = (deadline - System.nanoTime()) / 1_000_000L;
            if (wait <= 0) {
              throw new SocketTimeoutException("Read timed out");
            }
          }
          readable.select(wait);
          readable.selectedKeys().clear();
        }
      } catch (ClosedSelectorException e) {
        throw new SocketException("Socket is closed");
      }
    }

    @Override
    public int available() throws IOException {
      return 0;
    }

    @Override
    public void close() throws IOException {
      UnixDomainSocket.this.close();
    }
  }

  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(b, off, len);
      try {
        while (buf.hasRemaining()) {
          if (open().write(buf) == 0) {
            writable.select();
            writable.selectedKeys().clear();
          }
        }
      } catch (ClosedSelectorException e) {
        throw new SocketException("Socket is closed");
      }
    }

    @Override
    public void close() throws IOException {
      UnixDomainSocket.this.close();
    }
  }
}
