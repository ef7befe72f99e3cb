import { z } from 'zod';

const phone = z.string().regex(/^\+?\d{6,15}$/, 'a phone number (digits, optional +)');

/**
 * Faults a test can inject; `phone` scopes one to an account's devices, otherwise it hits everyone. A
 * `media-error` hits the next `count` downloads from the media host, whoever asks.
 */
export const faultSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('drop'),
      phone: phone.optional(),
      deviceId: z.number().int().nonnegative().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('delay'),
      ms: z.number().int().positive().max(120_000),
      phone: phone.optional(),
      durationMs: z.number().int().positive().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('ack-error'),
      code: z.number().int().min(400).max(599).default(479),
      phone: phone.optional(),
      count: z.number().int().positive().default(1),
    })
    .strict(),
  z
    .object({
      type: z.literal('media-error'),
      status: z.number().int().min(400).max(599).default(404),
      count: z.number().int().positive().default(1),
    })
    .strict(),
  z
    .object({
      type: z.literal('refuse-pairing-code'),
      phone: phone.optional(),
      count: z.number().int().positive().default(1),
    })
    .strict(),
  z
    .object({
      type: z.literal('refuse-logins'),
      durationMs: z.number().int().positive(),
      reason: z.number().int().min(400).max(599).default(503),
      phone: phone.optional(),
    })
    .strict(),
]);

export type FaultInput = z.input<typeof faultSchema>;
export type Fault = z.output<typeof faultSchema>;
type StoredFault = Exclude<Fault, { type: 'drop' }> & { id: number; until?: number };

/** Standing faults (everything but `drop`, which acts once); they expire by time or by use. */
export class Faults {
  private faults: StoredFault[] = [];
  private nextId = 1;

  add(fault: Exclude<Fault, { type: 'drop' }>): number {
    const id = this.nextId++;
    const duration =
      fault.type === 'refuse-logins'
        ? fault.durationMs
        : fault.type === 'delay'
          ? fault.durationMs
          : undefined;
    const stored: StoredFault = { ...fault, id };
    if (duration !== undefined) stored.until = Date.now() + duration;
    this.faults.push(stored);
    return id;
  }

  list(): StoredFault[] {
    this.prune();
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  private prune(): void {
    const now = Date.now();
    this.faults = this.faults.filter(
      (f) =>
        (f.until === undefined || f.until > now) &&
        !(
          (f.type === 'ack-error' || f.type === 'media-error' || f.type === 'refuse-pairing-code') &&
          f.count <= 0
        ),
    );
  }

  private matching<T extends StoredFault['type']>(
    type: T,
    phone: string | undefined,
  ): Extract<StoredFault, { type: T }>[] {
    this.prune();
    return this.faults.filter(
      (f): f is Extract<StoredFault, { type: T }> =>
        f.type === type && (!('phone' in f) || f.phone === undefined || f.phone.replace(/^\+/, '') === phone),
    );
  }

  delayMs(phone: string | undefined): number {
    return this.matching('delay', phone).reduce((sum, f) => sum + f.ms, 0);
  }

  /** Consumes one use of a matching ack-error fault. */
  takeAckError(phone: string | undefined): number | undefined {
    const fault = this.matching('ack-error', phone)[0];
    if (!fault) return undefined;
    fault.count -= 1;
    return fault.code;
  }

  /** Consumes one use of a media-error fault: the status the next media download gets instead of the file. */
  takeMediaError(): number | undefined {
    const fault = this.matching('media-error', undefined)[0];
    if (!fault) return undefined;
    fault.count -= 1;
    return fault.status;
  }

  /** Consumes one use of a matching refuse-pairing-code fault: the next companion_hello gets iq error 400. */
  takePairingCodeRefusal(phone: string): boolean {
    const fault = this.matching('refuse-pairing-code', phone)[0];
    if (!fault) return false;
    fault.count -= 1;
    return true;
  }

  loginRefusal(phone: string | undefined): number | undefined {
    return this.matching('refuse-logins', phone)[0]?.reason;
  }
}
