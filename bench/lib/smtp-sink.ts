/**
 * A loopback SMTP server that accepts every message and throws it away, in its own process so
 * that it takes the same share of the machine whether the service or raw nodemailer feeds it.
 * Run as a child (fork) of the harness: it sends { port } once listening, and answers { count, connections }
 * to a 'count' message with how many messages and connections it has had.
 */
import { SMTPServer } from 'smtp-server';

let received = 0;
let connections = 0;

const server = new SMTPServer({
  authOptional: true,
  allowInsecureAuth: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 20 * 1024 * 1024,
  onConnect(_session, callback) {
    connections += 1;
    callback();
  },
  onAuth(auth, _session, callback) {
    callback(null, { user: auth.username ?? 'anyone' });
  },
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      received += 1;
      callback();
    });
  },
});
server.on('error', () => undefined); // a client dropping its connection is not our concern

server.listen(0, '127.0.0.1', () => {
  const { port } = server.server.address() as { port: number };
  process.send?.({ port });
});

process.on('message', (message: unknown) => {
  if (message === 'count') process.send?.({ count: received, connections });
  if (message === 'stop') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
