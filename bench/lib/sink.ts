import { fork } from 'node:child_process';
import { join } from 'node:path';

export interface SmtpSink {
  port: number;
  /** Messages and SMTP connections the sink has had so far. */
  counts(): Promise<{ messages: number; connections: number }>;
  stop(): Promise<void>;
}

/** Starts bench/lib/smtp-sink.ts in a child process and returns its port. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const child = fork(join(__dirname, 'smtp-sink.ts'), [], {
    execArgv: ['-r', '@swc-node/register'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the SMTP sink did not start within 30 s')), 30_000);
    child.once('message', (m: { port: number }) => {
      clearTimeout(timer);
      resolve(m.port);
    });
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited with ${code}`)));
  });
  return {
    port,
    counts: () =>
      new Promise((resolve) => {
        child.once('message', (m: { count: number; connections: number }) =>
          resolve({ messages: m.count, connections: m.connections }),
        );
        child.send('count');
      }),
    async stop() {
      if (child.exitCode === null) child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
