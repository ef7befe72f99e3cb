/**
 * Baileys' Signal library (`libsignal`) prints whole session records with `console.info` / `console.warn` when it
 * opens, closes or replaces a session: private keys, root and chain keys, several times per pairing. On AWS the
 * process's stdout is CloudWatch Logs. The session host process therefore takes the console over: what a
 * dependency prints goes to the host's logger as one `debug` line naming the method and carrying only the printed
 * text's first line, never the objects (the records) printed beside it, and still through the logger's redaction.
 */
import type { HostLogger } from './logger.js';

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
type ConsoleMethod = (typeof METHODS)[number];

const MAX_TEXT = 200;

/** The leading text of a console call: strings only, first line, bounded. Objects are counted, never printed. */
export function consoleText(args: readonly unknown[]): { text: string; objects: number } {
  const strings: string[] = [];
  let objects = 0;
  for (const arg of args) {
    if (typeof arg === 'string') strings.push(arg);
    else if (typeof arg === 'number' || typeof arg === 'boolean') strings.push(String(arg));
    else objects += 1;
  }
  const text = (strings.join(' ').split('\n')[0] ?? '').slice(0, MAX_TEXT);
  return { text, objects };
}

/** Routes every console method of this process to `log`; returns a function that puts the console back. */
export function guardConsole(log: HostLogger, target: Console = console): () => void {
  const originals = new Map<ConsoleMethod, Console[ConsoleMethod]>();
  const dependencyLog = log.child({ component: 'console' });
  for (const method of METHODS) {
    originals.set(method, target[method]);
    target[method] = (...args: unknown[]) => {
      const { text, objects } = consoleText(args);
      dependencyLog.debug(text, { method, ...(objects ? { objectsDropped: objects } : {}) });
    };
  }
  return () => {
    for (const [method, original] of originals) target[method] = original;
  };
}
