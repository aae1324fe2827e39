import { connect, createServer, type Server, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { testCertificates } from './certs';
import { Inbox } from './inbox';

/**
 * Real SMTP servers on loopback (smtp-server), one per behaviour a tenant's server can have.
 * Each counts the TCP connections it saw, so a test can prove that nothing connected.
 */
export interface Peer {
  host: '127.0.0.1';
  port: number;
  inbox: Inbox;
  /** TCP connections accepted so far. */
  connections: number;
  /** SNI names clients sent in their TLS handshakes. */
  servernames: string[];
  /** Logins tried, with the outcome. */
  logins: Array<{ user: string; ok: boolean }>;
  /** MAIL FROM addresses the peer was given (refused or not). */
  senders: string[];
  close(): Promise<void>;
}

export const PEER_USER = 'mailer@acme.example';
export const PEER_PASSWORD = 'S3cret-Pa55-for-peer!';

export interface PeerOptions {
  /** STARTTLS offered with the CA-issued certificate (default), a self-signed one, or not at all. */
  starttls?: 'trusted' | 'self-signed' | 'none';
  /** Implicit TLS (like port 465) with the CA-issued certificate. */
  implicitTls?: boolean;
  /** AUTH required (default true) with PEER_USER / PEER_PASSWORD. */
  auth?: boolean;
  /** Read the whole message, then cut the connection without answering. */
  dropAfterData?: boolean;
  /** Read the whole message, then never answer (the client's timeout must fire). */
  hangAfterData?: boolean;
  /** AUTH not offered at all (EHLO lists no AUTH): the server takes mail without signing in. */
  offerAuth?: boolean;
  /** Every login refused with this reply (code and text), e.g. Microsoft's 535 5.7.139. */
  authRefusal?: { code: number; text: string };
  /** MAIL FROM refused with this reply. */
  senderRefusal?: { code: number; text: string };
}

function track(server: Server, peer: { connections: number }, sockets: Set<Socket>): void {
  server.on('connection', (socket: Socket) => {
    peer.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

export async function startSmtpPeer(options: PeerOptions = {}): Promise<Peer> {
  const certs = testCertificates();
  const inbox = new Inbox();
  const sockets = new Set<Socket>();
  const tlsMode = options.starttls ?? 'trusted';
  const pair = options.implicitTls || tlsMode === 'trusted' ? certs.trusted : certs.selfSigned;
  const peer = { connections: 0, servernames: [] as string[], logins: [] as Peer['logins'], senders: [] as string[] };
  const config: SMTPServerOptions = {
    secure: !!options.implicitTls,
    key: pair.key,
    cert: pair.cert,
    disabledCommands: [
      ...(tlsMode === 'none' && !options.implicitTls ? ['STARTTLS'] : []),
      ...(options.offerAuth === false ? ['AUTH'] : []),
    ],
    authOptional: options.auth === false || options.offerAuth === false,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: tlsMode === 'none',
    logger: false,
    size: 20 * 1024 * 1024,
    // Called during the handshake, so the name is recorded even when the client then rejects the certificate.
    SNICallback(servername: string, callback: (error: Error | null, context?: undefined) => void) {
      peer.servernames.push(servername);
      callback(null);
    },
    onAuth(auth, _session, callback) {
      if (options.authRefusal) {
        peer.logins.push({ user: auth.username ?? '', ok: false });
        const { code, text } = options.authRefusal;
        return callback(Object.assign(new Error(text), { responseCode: code }));
      }
      const ok = auth.username === PEER_USER && auth.password === PEER_PASSWORD;
      peer.logins.push({ user: auth.username ?? '', ok });
      if (!ok) return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onMailFrom(address, _session, callback) {
      peer.senders.push(address.address);
      if (!options.senderRefusal) return callback();
      const { code, text } = options.senderRefusal;
      callback(Object.assign(new Error(text), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const envelope = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
      };
      if (options.hangAfterData) {
        stream.resume();
        return;
      }
      if (options.dropAfterData) {
        stream.resume();
        stream.on('end', () => sockets.forEach((s) => s.destroy()));
        return;
      }
      inbox.receive(stream, envelope).then(() => callback(), callback);
    },
  };
  const server = new SMTPServer(config);
  server.on('error', () => undefined);
  track(server.server, peer, sockets);
  const port = await listen(server.server);
  return Object.assign(peer, {
    host: '127.0.0.1' as const,
    port,
    inbox,
    async close() {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** Accepts connections and never says a word: no greeting, no TLS handshake. */
export async function startSilentPeer(): Promise<Peer> {
  const sockets = new Set<Socket>();
  const peer = { connections: 0, servernames: [] as string[], logins: [] as Peer['logins'], senders: [] as string[] };
  const server = createServer(() => undefined);
  track(server, peer, sockets);
  const port = await listen(server);
  return Object.assign(peer, {
    host: '127.0.0.1' as const,
    port,
    inbox: new Inbox(),
    async close() {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** A port on loopback where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  // Below the ephemeral range (32768–60999 here): a port freed from listen(0) could be handed to
  // another test's server or outgoing connection a moment later, and the "refused" case would then
  // meet a stranger's TLS (seen once on CI). Nothing in the suite binds these on purpose; checked.
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (await refuses(port)) return port;
  }
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}
