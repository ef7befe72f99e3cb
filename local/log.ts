/**
 * The local cloud's log: one JSON line per event on stderr, so a crashed handler is visible in `npm start`
 * and in test output, and tests can pass a collector instead.
 */
export type LocalLogLevel = 'info' | 'warn' | 'error';

export type LocalLog = (
  level: LocalLogLevel,
  message: string,
  fields?: Readonly<Record<string, unknown>>,
) => void;

export const consoleLog: LocalLog = (level, message, fields = {}) => {
  const serialised: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    serialised[key] =
      value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  process.stderr.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), message, ...serialised })}\n`,
  );
};

export const silentLog: LocalLog = () => undefined;
