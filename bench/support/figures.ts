/**
 * Benchmarks print figures, never assertions: one JSON object per line on stdout, each naming the benchmark,
 * the side measured (`baseline` = bare Baileys on the same simulator in the same run, `host` = the session
 * host) and the figures. Progress goes to stderr, so `> figures.jsonl` keeps only results.
 */
import { cpus } from 'node:os';

export type Side = 'baseline' | 'host';

export function emit(bench: string, side: Side | 'meta', figures: Readonly<Record<string, unknown>>): void {
  process.stdout.write(`${JSON.stringify({ bench, side, ...figures })}\n`);
}

export function progress(message: string, fields: Readonly<Record<string, unknown>> = {}): void {
  process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), message, ...fields })}\n`);
}

/** The machine and runtime, printed once per run so figures can be compared across runs. */
export function emitMachine(bench: string): void {
  emit(bench, 'meta', {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
  });
}

export const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 100) / 100;
export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of `values` (not sorted in place). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function latencySummary(values: readonly number[]): Record<string, number> {
  return {
    p50Ms: round(percentile(values, 50)),
    p90Ms: round(percentile(values, 90)),
    p99Ms: round(percentile(values, 99)),
    maxMs: round(Math.max(...values)),
  };
}

/** `--name value` or `--name=value` from argv, else the fallback. */
export function argument(name: string, fallback: string): string {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === `--${name}`) return argv[i + 1] ?? fallback;
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return fallback;
}

export function numbersArgument(name: string, fallback: readonly number[]): number[] {
  const raw = argument(name, fallback.join(','));
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isInteger(v) || v <= 0))
    throw new Error(`--${name} takes positive integers`);
  return values;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `done()` holds or the deadline passes (then throws with `what`). */
export async function until(done: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}
