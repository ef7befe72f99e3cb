import { randomBytes } from 'node:crypto';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HOST_QUEUE_RETENTION_SECONDS,
  SqsHostCommandQueue,
} from '../../../../shared/adapters/aws/sqs-host-command-queue.js';
import type { HostCommand } from '../../../../shared/contracts/host-command.js';
import { newId } from '../../../../shared/domain/ids.js';
import {
  HostQueueNotFoundError,
  InvalidHostCommandError,
  InvalidHostIdError,
  type MalformedCommandReport,
} from '../../../../shared/ports/host-command-queue.js';
import { startAwsEmulators, type AwsEmulators } from '../../../support/aws-emulators.js';

let aws: AwsEmulators;
let reports: MalformedCommandReport[];
let queue: SqsHostCommandQueue;

beforeAll(async () => {
  aws = await startAwsEmulators();
  reports = [];
  queue = new SqsHostCommandQueue({
    sqs: aws.clients.sqs,
    prefix: aws.prefix,
    onMalformed: (r) => reports.push(r),
  });
});

afterAll(async () => {
  await aws?.stop();
});

const hostId = () => `h${randomBytes(4).toString('hex')}`;
const tenantId = newId();
const sessionId = newId();
const sentAt = () => new Date().toISOString();

async function counts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await aws.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

describe('SqsHostCommandQueue on fauxqs', () => {
  it("creates the host's own queue with a short retention, idempotently, and finds it by host id", async () => {
    const host = hostId();
    const url = await queue.create(host);
    expect(url).toContain(`${aws.prefix}host-${host}`);
    expect(await queue.create(host)).toBe(url);
    expect(await queue.urlOf(host)).toBe(url);
    const attributes = await aws.clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['MessageRetentionPeriod'] }),
    );
    expect(attributes.Attributes?.MessageRetentionPeriod).toBe(String(HOST_QUEUE_RETENTION_SECONDS));
    expect(await queue.urlOf(hostId())).toBeNull();
  });

  it('sends every command type, receives them validated, and ack removes them', async () => {
    const url = await queue.create(hostId());
    const commands: HostCommand[] = [
      { type: 'session.start', tenantId, sessionId, sentAt: sentAt() },
      { type: 'session.stop', tenantId, sessionId, sentAt: sentAt() },
      { type: 'session.logout', tenantId, sessionId, sentAt: sentAt() },
      {
        type: 'session.pairing-code',
        tenantId,
        sessionId,
        sentAt: sentAt(),
        phone: '+15551234567',
        requestId: 'r-1',
      },
      { type: 'message.send', tenantId, sessionId, sentAt: sentAt(), messageId: newId() },
    ];
    for (const command of commands) await queue.send(url, command);
    const received = await queue.receive(url, { max: 10, waitSeconds: 1 });
    expect(received.map((r) => r.command)).toEqual(expect.arrayContaining(commands));
    expect(received).toHaveLength(commands.length);
    expect(received.every((r) => r.receiveCount === 1 && r.messageId.length > 0)).toBe(true);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: commands.length });
    await Promise.all(received.map((r) => r.ack()));
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it("acks a poll's commands together: one DeleteMessageBatch for the ten, not a DeleteMessage each", async () => {
    const url = await queue.create(hostId());
    for (let i = 0; i < 10; i++)
      await queue.send(url, {
        type: 'message.send',
        tenantId,
        sessionId,
        sentAt: sentAt(),
        messageId: newId(),
      });
    const received = await queue.receive(url, { max: 10, waitSeconds: 1 });
    expect(received).toHaveLength(10);
    const deletes: string[] = [];
    const name = 'countDeletes';
    aws.clients.sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (String(context.commandName).startsWith('DeleteMessage'))
          deletes.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      await Promise.all(received.map((r) => r.ack()));
    } finally {
      aws.clients.sqs.middlewareStack.remove(name);
    }
    expect(deletes).toEqual(['DeleteMessageBatchCommand']);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('refuses to send an invalid command and sends nothing', async () => {
    const url = await queue.create(hostId());
    const bad = { type: 'session.pairing-code', tenantId, sessionId, sentAt: sentAt(), phone: '555-1234' };
    const error = await queue.send(url, bad as unknown as HostCommand).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidHostCommandError);
    expect((error as Error).message).toContain('phone');
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('drops malformed messages (deleted and reported without their body) and still delivers the valid ones', async () => {
    const url = await queue.create(hostId());
    reports.length = 0;
    const junk = [
      'not json at all',
      JSON.stringify({ type: 'session.reboot', tenantId, sessionId, sentAt: sentAt() }),
      JSON.stringify({
        type: 'session.pairing-code',
        tenantId,
        sessionId,
        sentAt: sentAt(),
        phone: '+15559876543',
      }),
    ];
    for (const body of junk)
      await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    const good: HostCommand = { type: 'session.start', tenantId, sessionId, sentAt: sentAt() };
    await queue.send(url, good);

    const received = await queue.receive(url, { max: 10, waitSeconds: 1 });
    expect(received.map((r) => r.command)).toEqual([good]);
    expect(reports).toHaveLength(3);
    expect(reports.every((r) => r.queueUrl === url && r.messageId.length > 0)).toBe(true);
    expect(reports.map((r) => r.reason).join('\n')).toMatch(/not JSON/);
    expect(reports.map((r) => r.reason).join('\n')).not.toContain('+15559876543');
    // Deleted, not merely hidden: only the valid (unacked) command is still in flight.
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 1 });
  });

  it('survives a reporter that throws', async () => {
    const url = await queue.create(hostId());
    const fragile = new SqsHostCommandQueue({
      sqs: aws.clients.sqs,
      prefix: aws.prefix,
      onMalformed: () => {
        throw new Error('reporter broke');
      },
    });
    await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{' }));
    await expect(fragile.receive(url, { waitSeconds: 1 })).resolves.toEqual([]);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('strips unknown fields a newer sender may add', async () => {
    const url = await queue.create(hostId());
    const body = { type: 'session.stop', tenantId, sessionId, sentAt: sentAt(), reason: 'added later' };
    await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(body) }));
    const [received] = await queue.receive(url, { waitSeconds: 1 });
    expect(received?.command).toEqual({ type: 'session.stop', tenantId, sessionId, sentAt: body.sentAt });
  });

  it('ends a long poll early when aborted', async () => {
    const url = await queue.create(hostId());
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    await expect(queue.receive(url, { waitSeconds: 20, signal: controller.signal })).resolves.toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('deletes the queue idempotently; sending to it then is HostQueueNotFoundError', async () => {
    const host = hostId();
    const url = await queue.create(host);
    await queue.delete(url);
    expect(await queue.urlOf(host)).toBeNull();
    await queue.delete(url);
    const error = await queue
      .send(url, { type: 'session.start', tenantId, sessionId, sentAt: sentAt() })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(HostQueueNotFoundError);
  });

  it('refuses host ids that cannot name a queue', async () => {
    for (const bad of ['', 'has space', 'dots.not.allowed', 'x'.repeat(80)]) {
      await expect(queue.create(bad)).rejects.toBeInstanceOf(InvalidHostIdError);
    }
  });
});
