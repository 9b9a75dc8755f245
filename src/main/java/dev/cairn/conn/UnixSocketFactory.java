package dev.cairn.conn;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import javax.net.SocketFactory;

/**
 * pgjdbc's {@code socketFactory} for a server's unix-domain socket, so that a conninfo with
 * {@code host=/var/run/postgresql} (peer authentication, no password at all) works for the COPY streams
 * as it does for vertx-pg-client and libpq. pgjdbc instantiates it by name with the socket file's path
 * ({@code socketFactoryArg}, e.g. {@code /var/run/postgresql/.s.PGSQL.5432}); the host and port pgjdbc
 * passes are ignored.
 */
public final class UnixSocketFactory extends SocketFactory {
  private final Path path;

  public UnixSocketFactory(String socketFile) {
    this.path = Path.of(socketFile);
  }

  @Override
  public Socket createSocket() {
    return new UnixDomainSocket(path);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected();
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return connected();
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected();
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return connected();
  }

  private Socket connected() throws IOException {
    Socket s = new UnixDomainSocket(path);
    s.connect(null);
    return s;
  }
}
