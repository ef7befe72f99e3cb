/**
 * Parent <-> child messages of the benchmarks. Each side runs in its own process (a clean heap per side, and a
 * SIGKILL that only hits what it should), started with `--expose-gc` under tsx on the parent's Node. Messages
 * are validated with zod on receipt, like any other edge.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const MemorySchema = z.object({
  rss: z.number(),
  heapUsed: z.number(),
  heapTotal: z.number(),
  external: z.number(),
  arrayBuffers: z.number(),
});
export type Memory = z.infer<typeof MemorySchema>;

export const ToChildSchema = z.discriminatedUnion('type', [
  /** Bare side: open one socket per serialized (BufferJSON) creds. */
  z.object({
    type: z.literal('connect'),
    creds: z.array(z.string()),
    concurrency: z.number().int().min(1),
    /** Signal keys (a BufferJSON `SignalDataSet`) every socket's auth state holds its own copy of. */
    keys: z.string().optional(),
  }),
  z.object({ type: z.literal('measure') }),
  /** Host side: how many of its sessions are connected. */
  z.object({ type: z.literal('status') }),
  /** Bare side: `await sendMessage` in a loop on the first socket. */
  z.object({ type: z.literal('send'), to: z.string(), texts: z.array(z.string()) }),
  /** Both sides: the process's CPU time so far (`process.cpuUsage()`). */
  z.object({ type: z.literal('cpu') }),
  z.object({ type: z.literal('exit') }),
]);
export type ToChild = z.infer<typeof ToChildSchema>;

export const FromChildSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), memory: MemorySchema, hostId: z.string().optional() }),
  z.object({ type: z.literal('connected'), count: z.number(), elapsedMs: z.number() }),
  z.object({ type: z.literal('memory'), memory: MemorySchema, sessions: z.number() }),
  z.object({ type: z.literal('sent'), startedAt: z.array(z.number()), endedAt: z.number() }),
  z.object({ type: z.literal('sessions'), connected: z.number(), total: z.number() }),
  z.object({ type: z.literal('cpu'), userMicros: z.number(), systemMicros: z.number() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type FromChild = z.infer<typeof FromChildSchema>;

/** The process's CPU time so far, both threads of Node's own accounting (user + system), in microseconds. */
export function measureCpu(): { type: 'cpu'; userMicros: number; systemMicros: number } {
  const { user, system } = process.cpuUsage();
  return { type: 'cpu', userMicros: user, systemMicros: system };
}

/** Memory after two full collections, so figures compare live data and not garbage. */
export function measureMemory(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers };
}

export class Child {
  readonly process: ChildProcess;
  readonly #waiting: {
    type: FromChild['type'];
    resolve: (m: FromChild) => void;
    reject: (e: Error) => void;
  }[] = [];
  readonly #inbox: FromChild[] = [];
  #exited: Error | undefined;

  /** `script`: a file of `bench/children/` run under tsx, or an absolute path to a prebuilt bundle (plain Node). */
  constructor(
    script: string,
    env: Readonly<Record<string, string>> = {},
    nodeOptions: readonly string[] = [],
  ) {
    const bundled = isAbsolute(script);
    const file = bundled ? script : fileURLToPath(new URL(`../children/${script}`, import.meta.url));
    // BENCH_CPU_PROF=<dir>: each child writes a V8 CPU profile there when it exits (docs/benchmarks.md).
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
    this.process = fork(file, [], {
      execArgv: ['--expose-gc', ...(bundled ? [] : ['--import', 'tsx']), ...profile, ...nodeOptions],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.process.on('message', (raw) => {
      const parsed = FromChildSchema.safeParse(raw);
      if (!parsed.success) return this.#fail(new Error(`bad message from child: ${JSON.stringify(raw)}`));
      const message = parsed.data;
      if (message.type === 'error') return this.#fail(new Error(`child ${script}: ${message.message}`));
      const index = this.#waiting.findIndex((w) => w.type === message.type);
      if (index >= 0) this.#waiting.splice(index, 1)[0]?.resolve(message);
      else this.#inbox.push(message);
    });
    this.process.on('exit', (code, signal) =>
      this.#fail(new Error(`child ${script} exited (${code ?? signal})`)),
    );
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  send(message: ToChild): void {
    this.process.send(message);
  }

  /** The next message of `type` (already received or still to come). */
  next<T extends FromChild['type']>(type: T, ms = 600_000): Promise<Extract<FromChild, { type: T }>> {
    const queued = this.#inbox.findIndex((m) => m.type === type);
    if (queued >= 0)
      return Promise.resolve(this.#inbox.splice(queued, 1)[0] as Extract<FromChild, { type: T }>);
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} from child within ${ms} ms`)), ms);
      this.#waiting.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<FromChild, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  async request<T extends FromChild['type']>(
    message: ToChild,
    reply: T,
  ): Promise<Extract<FromChild, { type: T }>> {
    const answer = this.next(reply);
    this.send(message);
    return answer;
  }

  /** SIGKILL (a crash) or a polite exit; resolves once the process is gone. */
  async stop(signal: 'SIGKILL' | 'SIGTERM' | 'exit' = 'exit'): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    if (signal === 'exit') this.send({ type: 'exit' });
    else this.process.kill(signal);
    await gone;
  }

  #fail(error: Error): void {
    this.#exited ??= error;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }
}

/** Child side: handle validated messages from the parent; report failures instead of dying silently. */
export function serveParent(handle: (message: ToChild) => Promise<void>): void {
  process.on('message', (raw) => {
    const parsed = ToChildSchema.safeParse(raw);
    if (!parsed.success) return reply({ type: 'error', message: `bad message: ${JSON.stringify(raw)}` });
    handle(parsed.data).catch((error: unknown) =>
      reply({
        type: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

export function reply(message: FromChild): void {
  process.send?.(message);
}
