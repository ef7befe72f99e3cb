/**
 * Each session host's own command queue (DESIGN.md section 3, "Commands to hosts"): made when the host starts,
 * deleted when it stops (or by a sweeper once its heartbeat is gone). The sender finds the owner host in the
 * session item and rings its queue after writing the truth to DynamoDB.
 */
import type { z } from 'zod';
import type { HostCommand } from '../contracts/host-command.js';

export interface ReceivedHostCommand {
  readonly command: HostCommand;
  /** The queue's id for this delivery; the same command may arrive twice (at-least-once). */
  readonly messageId: string;
  /** How often this message has been received, 1 on first delivery. */
  readonly receiveCount: number;
  /** Removes it from the queue; call once handled. Unacked commands come back after the visibility timeout. */
  ack(): Promise<void>;
}

export interface ReceiveOptions {
  /** 1 to 10. */
  readonly max?: number;
  /** Long polling, 0 to 20 seconds. */
  readonly waitSeconds?: number;
  /** Ends a long poll early (host shutdown). */
  readonly signal?: AbortSignal;
}

/** A message on the queue that is not a valid command; it has been deleted. Carries no message body. */
export interface MalformedCommandReport {
  readonly queueUrl: string;
  readonly messageId: string;
  readonly reason: string;
}

export interface HostCommandQueue {
  /** Creates (or finds, when the host restarts with the same id) the host's queue; returns its URL. */
  create(hostId: string): Promise<string>;
  /** The URL of a host's queue, or `null` when the host (and its queue) is gone. */
  urlOf(hostId: string): Promise<string | null>;
  /** Idempotent: deleting a queue that is already gone is not an error. */
  delete(queueUrl: string): Promise<void>;
  /** Validates first (`InvalidHostCommandError`); `HostQueueNotFoundError` when the queue is gone. */
  send(queueUrl: string, command: HostCommand): Promise<void>;
  /** Valid commands only; malformed messages are deleted and reported, never thrown. */
  receive(queueUrl: string, options?: ReceiveOptions): Promise<ReceivedHostCommand[]>;
}

export class InvalidHostCommandError extends Error {
  override readonly name = 'InvalidHostCommandError';
  constructor(readonly issues: readonly z.core.$ZodIssue[]) {
    super(
      `invalid host command: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
}

/** The host's queue does not exist (the host stopped or was swept). DynamoDB still holds the work. */
export class HostQueueNotFoundError extends Error {
  override readonly name = 'HostQueueNotFoundError';
  constructor(
    readonly queue: string,
    options?: { cause?: unknown },
  ) {
    super(`host command queue ${queue} does not exist`, options);
  }
}

/** A host id that cannot name an SQS queue (letters, digits, `-`, `_`; the whole name at most 80 characters). */
export class InvalidHostIdError extends Error {
  override readonly name = 'InvalidHostIdError';
  constructor(readonly hostId: string) {
    super(`host id ${JSON.stringify(hostId)} cannot name an SQS queue`);
  }
}
