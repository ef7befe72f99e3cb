/**
 * The console's Vite build for the local gateway: built once, lazily, on the first request for it (tests that
 * never open the console never pay for it), into a directory of its own per process; with `watch`
 * (`npm start`), built at once and rebuilt whenever a file under `web/` changes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Rolldown } from 'vite';
import type { LocalLog } from './log.js';

export interface ConsoleBuildOptions {
  readonly root: string;
  readonly watch?: boolean;
  readonly log: LocalLog;
}

type Watcher = Rolldown.RolldownWatcher;

export class ConsoleBuild {
  #ready: Promise<string> | undefined;
  #watcher: Watcher | undefined;
  #outDir: string | undefined;

  constructor(private readonly options: ConsoleBuildOptions) {
    if (options.watch) void this.ready().catch(() => undefined);
  }

  /** The directory holding the built console, once the (first) build is done. */
  ready(): Promise<string> {
    this.#ready ??= this.#build().catch((error: unknown) => {
      this.#ready = undefined;
      this.options.log('error', 'the console did not build', { error: String(error) });
      throw error;
    });
    return this.#ready;
  }

  async stop(): Promise<void> {
    await this.#watcher?.close();
    if (this.#outDir) await rm(this.#outDir, { recursive: true, force: true });
  }

  async #build(): Promise<string> {
    const outDir = (this.#outDir ??= await mkdtemp(join(tmpdir(), 'wa-console-')));
    const configFile = join(this.options.root, 'web', 'vite.config.ts');
    const result = await build({
      configFile,
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, ...(this.options.watch ? { watch: {} } : {}) },
    });
    if (this.options.watch && isWatcher(result)) {
      this.#watcher = result;
      await new Promise<void>((resolve, reject) => {
        result.on('event', (event) => {
          if (event.code === 'END') {
            this.options.log('info', 'console built', { outDir });
            resolve();
          } else if (event.code === 'ERROR') {
            this.options.log('warn', 'console build failed; fix the file and it builds again', {
              error: String(event.error),
            });
            reject(event.error);
          }
        });
      });
    }
    return outDir;
  }
}

function isWatcher(value: unknown): value is Watcher {
  return typeof value === 'object' && value !== null && 'on' in value && 'close' in value;
}
