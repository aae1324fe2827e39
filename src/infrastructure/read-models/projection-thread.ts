import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pino, { type Logger } from 'pino';
import { type ReadinessResult } from '../../application/health/readiness';
import { type ProjectionStatus } from '../../application/projections/projection-runner';
import { ProjectionService } from '../../application/projections/projection-service';
import { type RebuildProgress, type RebuildResult } from '../../application/projections/rebuild';
import { type SqliteEventStore } from '../event-store/sqlite.event-store';
import { type FromThread, type ProjectionThreadData, type ToThread } from './projection-thread.protocol';

export interface ProjectionThreadOptions {
  data: ProjectionThreadData;
  /** The service's connection to events.db: each of its commits wakes the thread. */
  store: SqliteEventStore;
  /**
   * The same projection in this event loop, never started: it reads the checkpoint, head and lag
   * through the service's own connections, which is what status and readiness say while there is
   * no thread (stopped, starting, or dead until it is started again).
   */
  local: ProjectionService;
  /** Where the thread's log lines are written (the service's own destination). */
  root: Logger;
  /** Pause before starting a thread again after it died. */
  retryMs: number;
}

interface Call {
  resolve(value: unknown): void;
  reject(error: Error): void;
  progress?: (p: RebuildProgress) => void;
}

/** The thread answered a call with an error: its name and message, as thrown there. */
export class ProjectionThreadError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const WORKER_FILE = join(__dirname, `projection-thread.worker${extname(__filename)}`);

/**
 * The projection in a worker thread (PROJECTION_THREAD=worker, the embedded SQLite shape). The
 * event loop that answers requests is the service's bottleneck on this shape: projecting each
 * command's event (re-reading it, folding the tenant row, writing the audit row and the
 * checkpoint) took about a fifth of a command's CPU there (issue 19, docs/benchmarks.md). In the
 * thread it runs on the machine's other core. Nothing about the projection changes: the same
 * ProjectionRunner, its checkpoint committed with each batch in read-models.db, resumed from it
 * after a restart; the thread has its own connections to the two files (SQLite WAL lets them
 * read while the service writes), is woken by each commit of the service's store, and still
 * polls for appends by other processes. Should the thread die, it is started again after
 * `retryMs`, and until then /health/ready says why.
 */
export class ProjectionThread extends ProjectionService {
  private worker: Worker | null = null;
  private readonly calls = new Map<number, Call>();
  private nextId = 1;
  private running = false;
  /** Why there is no thread right now (it died, or could not start). */
  private down: string | null = null;
  private restartTimer: NodeJS.Timeout | undefined;
  private offAppend: (() => void) | null = null;

  constructor(private readonly options: ProjectionThreadOptions) {
    super();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.offAppend = this.options.store.onAppend(() => this.worker?.postMessage({ op: 'appended' } satisfies ToThread));
    await this.spawn();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.restartTimer);
    this.offAppend?.();
    this.offAppend = null;
    const worker = this.worker;
    if (!worker) return;
    try {
      // The batch being written commits (or rolls back) and the thread lets go of its connections.
      await this.call('close');
    } finally {
      this.worker = null;
      await worker.terminate();
    }
  }

  async status(): Promise<ProjectionStatus> {
    if (this.worker) {
      try {
        return (await this.call('status')) as ProjectionStatus;
      } catch (error) {
        if (this.worker) throw error;
      }
    }
    const local = await this.options.local.status();
    return this.running ? { ...local, running: true, role: 'active', lastError: this.missing() } : local;
  }

  /** Running, yet no thread to ask: why. */
  private missing(): string {
    return this.down ?? 'the projection thread is starting';
  }

  async readiness(): Promise<ReadinessResult> {
    if (this.worker) {
      try {
        return (await this.call('readiness')) as ReadinessResult;
      } catch (error) {
        if (this.worker) throw error;
      }
    }
    const local = await this.options.local.readiness();
    return { ok: false, detail: { ...local.detail, ...(this.running ? { error: this.missing() } : {}) } };
  }

  async rebuild(onProgress?: (progress: RebuildProgress) => void): Promise<RebuildResult> {
    if (!this.worker) throw new Error(this.down ?? 'projections are not running');
    return (await this.call('rebuild', onProgress)) as RebuildResult;
  }

  private call(op: Extract<ToThread, { id: number }>['op'], progress?: Call['progress']): Promise<unknown> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error(this.down ?? 'the projection thread is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject, progress });
      worker.postMessage({ op, id } satisfies ToThread);
    });
  }

  private spawn(): Promise<void> {
    const worker = new Worker(WORKER_FILE, {
      workerData: this.options.data,
      // Tests and `npm run cli` run the TypeScript sources: the thread needs the same loader.
      ...(WORKER_FILE.endsWith('.ts') ? { execArgv: ['-r', '@swc-node/register'] } : {}),
    });
    // The service's server and timers keep the process alive; the thread alone should not.
    worker.unref();
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: FromThread) => {
        if ('log' in message) return this.write(message.log);
        if ('ready' in message) {
          started = true;
          this.down = null;
          this.call('start').then(() => resolve(), reject);
          return;
        }
        const call = this.calls.get(message.id);
        if (!call) return;
        if ('progress' in message) return call.progress?.(message.progress);
        this.calls.delete(message.id);
        if ('error' in message) call.reject(new ProjectionThreadError(message.error.name, message.error.message));
        else call.resolve(message.value);
      });
      worker.on('error', (error) => {
        this.down = `the projection thread failed: ${error.message}`;
        this.options.root.error({ err: error }, 'projection thread failed');
      });
      worker.on('exit', (code) => {
        if (this.worker !== worker) return;
        this.worker = null;
        this.down ??= `the projection thread exited (code ${code})`;
        for (const call of this.calls.values()) call.reject(new Error(this.down));
        this.calls.clear();
        if (!started) reject(new Error(this.down));
        if (!this.running) return;
        this.options.root.error(`${this.down}; starting it again in ${this.options.retryMs} ms`);
        this.restartTimer = setTimeout(() => {
          if (this.running && !this.worker) this.spawn().catch(() => undefined);
        }, this.options.retryMs);
      });
    });
  }

  /** A line the thread logged, already formatted and scrubbed by the same logger options. */
  private write(line: string): void {
    const stream = (this.options.root as unknown as Record<symbol, { write(s: string): void }>)[pino.symbols.streamSym];
    stream.write(line);
  }
}
