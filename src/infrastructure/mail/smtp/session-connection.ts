import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import { type Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import { type ConnectionFactory } from '../connection-factory';
import { type Deadline } from './deadline';
import type { SessionPlan } from './session-plan';
import { connectFailure } from './smtp-failures';

/** Every address passed the policy; they are tried in order, within the connect budget. */
export async function openSocket(plan: SessionPlan, factory: ConnectionFactory, deadline: Deadline): Promise<Socket> {
  const connectMs = deadline.limit(plan.timeouts.connect);
  let lastError: Error | null = null;
  for (const address of plan.addresses) {
    try {
      return await factory.connect({
        address,
        port: plan.port,
        servername: plan.servername,
        timeoutMs: deadline.limit(connectMs),
      });
    } catch (error) {
      lastError = error as Error;
      if (deadline.remaining() <= 0) break;
    }
  }
  throw connectFailure(
    lastError ?? new Error('no address'),
    { host: plan.host, port: plan.port, security: plan.security },
    connectMs,
  );
}

/** Greeting, EHLO and (unless plaintext) the TLS handshake. */
export function handshakeBudget(plan: SessionPlan): number {
  return plan.timeouts.greeting + (plan.security === 'none' ? 0 : plan.timeouts.tls);
}

/**
 * nodemailer gets the open socket (`connection`), so it never resolves or dials anything; TLS
 * (implicit or STARTTLS) verifies the certificate against `servername`, the configured host
 * name, never against the address that was dialled.
 */
export function connectionOptions(plan: SessionPlan, socket: Socket): SMTPConnection.Options {
  const servername = plan.servername ?? undefined;
  return {
    connection: socket,
    host: socket.remoteAddress ?? plan.addresses[0],
    port: plan.port,
    secure: plan.security === 'tls',
    requireTLS: plan.security === 'starttls',
    ignoreTLS: plan.security === 'none',
    opportunisticTLS: plan.security === 'opportunistic',
    servername,
    tls: {
      servername,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      // `ca` replaces the default trust store, so the public roots are listed with the extra CAs.
      ...(plan.extraCa.length ? { ca: [...rootCertificates, ...plan.extraCa] } : {}),
    },
    name: plan.clientName,
    greetingTimeout: plan.timeouts.greeting,
    connectionTimeout: handshakeBudget(plan),
    socketTimeout: Math.max(plan.timeouts.auth, plan.timeouts.send),
    logger: false,
    debug: false,
  } as SMTPConnection.Options;
}
