import { connect, type Socket } from 'node:net';

export const CONNECTION_FACTORY = Symbol('CONNECTION_FACTORY');

export interface ConnectionTarget {
  /** An IP address that passed the policy (or the relay's configured host). */
  address: string;
  port: number;
  /** The host name TLS verifies the certificate against (SNI); null for IP literals. */
  servername: string | null;
  timeoutMs: number;
}

/** Opens the TCP connection for an SMTP session. Injectable so tests can record targets. */
export interface ConnectionFactory {
  connect(target: ConnectionTarget): Promise<Socket>;
}

export class ConnectionTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

export class TcpConnectionFactory implements ConnectionFactory {
  connect(target: ConnectionTarget): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.address, port: target.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionTimeoutError(`connection timed out after ${target.timeoutMs} ms`));
      }, target.timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        // Until the SMTP client attaches its own listener, an error must not crash the process.
        socket.on('error', () => undefined);
        socket.setKeepAlive(true);
        // SMTP is a chatty request/response protocol: with Nagle's algorithm every small command
        // waited for the server's delayed ACK (~40 ms per message, measured in bench/ send-path).
        socket.setNoDelay(true);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      });
    });
  }
}
