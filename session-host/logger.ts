/**
 * Structured JSON logs (one object per line on stdout) through pino. The host's code uses the small
 * `HostLogger` interface (the one host-messaging relies on); Baileys gets a pino child at its own level.
 * Never log credentials, QR strings, pairing codes or message bodies.
 */
import pino, { type Logger } from 'pino';
import { redactLogFields } from './log-redaction.js';

export type LogFields = Readonly<Record<string, unknown>>;

export interface HostLogger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): HostLogger;
  /** The pino logger underneath, for Baileys (`makeWASocket({ logger })`). */
  readonly pino: Logger;
}

export function createHostLogger(options: {
  level: string;
  base?: LogFields;
  destination?: pino.DestinationStream;
}): HostLogger {
  const root = pino(
    {
      level: options.level,
      base: { ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'message',
      // Every line's fields, the host's and Baileys' alike, lose key material and secrets (log-redaction.ts).
      formatters: { level: (label) => ({ level: label }), log: (fields) => redactLogFields(fields) },
      serializers: { error: pino.stdSerializers.err, err: pino.stdSerializers.err },
    },
    options.destination,
  );
  return wrap(root);
}

function wrap(logger: Logger): HostLogger {
  return {
    debug: (msg, fields) => logger.debug(fields ?? {}, msg),
    info: (msg, fields) => logger.info(fields ?? {}, msg),
    warn: (msg, fields) => logger.warn(fields ?? {}, msg),
    error: (msg, fields) => logger.error(fields ?? {}, msg),
    child: (fields) => wrap(logger.child(fields)),
    pino: logger,
  };
}

/** An error as log fields (name, message, code when present), without a stack for expected failures. */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { error: { name: error.name, message: error.message, ...(code ? { code } : {}) } };
  }
  return { error: { message: String(error) } };
}
