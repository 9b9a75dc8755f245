package dev.cairn.pgcopy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * pgjdbc's {@code socketFactory} for the COPY sessions over TCP: sockets whose input is read ahead in
 * {@link #READ_AHEAD} blocks. pgjdbc reads its socket through a fixed 8 KiB buffer, so a COPY TO STDOUT
 * costs one read system call per 8 KiB received (about 130,000 per GiB); with this buffer beneath it, one
 * per 256 KiB. Public with a no-argument constructor: pgjdbc instantiates it by name.
 */
public final class ReadAheadSocketFactory extends SocketFactory {
  static final int READ_AHEAD = 256 << 10;

  @Override
  public Socket createSocket() {
    return new ReadAheadSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    Socket s = new ReadAheadSocket();
    s.bind(new InetSocketAddress(localHost, localPort));
    s.connect(new InetSocketAddress(host, port));
    return s;
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    Socket s = new ReadAheadSocket();
    s.bind(new InetSocketAddress(localAddress, localPort));
    s.connect(new InetSocketAddress(address, port));
    return s;
  }

  private static Socket connected(InetSocketAddress to) throws IOException {
    Socket s = new ReadAheadSocket();
    s.connect(to);
    return s;
  }

  /**
   * A plain TCP socket whose input stream is buffered once, however often it is asked for (pgjdbc asks
   * again when it switches to TLS, which then reads through the same buffer). Read timeouts reach the
   * reader unchanged: the buffer only fills with what one read returned.
   */
  static final class ReadAheadSocket extends Socket {
    private InputStream in;

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      if (in == null) {
        in = new BufferedInputStream(super.getInputStream(), READ_AHEAD);
      }
      return in;
    }
  }
}
