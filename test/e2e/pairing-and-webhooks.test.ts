/**
 * Issue 6 end to end on the local stack: a browser-style WebSocket with a ticket gets the QR and `connected`;
 * a webhook receiver (a real HTTP server) and a tenant's own EventBridge rule both see the session and message
 * events, every webhook signed per Standard Webhooks.
 */
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningLocalProduct, startLocalProduct } from '../../local/product.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/local-aws.js';
import { ApiClient, eventually } from '../support/api-client.js';
import { type WebhookReceiver, startWebhookReceiver } from '../support/webhook-receiver.js';

const ACCOUNT = '+15550003333';
const CONTACT = '+15550004444';
const digits = (e164: string) => e164.slice(1);

interface Envelope {
  id: string;
  type: string;
  tenantId: string;
  sessionId: string;
  data: Record<string, unknown>;
}

describe('end to end: browser pairing, EventBridge and signed webhooks', () => {
  let product: RunningLocalProduct;
  let api: ApiClient;
  let receiver: WebhookReceiver;
  let secret: string;
  let sqs: SQSClient;
  let ruleQueueUrl: string;
  const frames: { type: string; [k: string]: unknown }[] = [];
  let socket: WebSocket | undefined;

  beforeAll(async () => {
    product = await startLocalProduct({ simulator: true, hosts: 1, stackFile: false, hostOutput: 'ignore' });
    api = new ApiClient(product.stack.apiUrl, product.stack.tenantApiKey!);
    receiver = await startWebhookReceiver();

    // The tenant's own rule on the bus, filtering on its tenant id, as DESIGN.md section 3 describes.
    const aws = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    sqs = new SQSClient({ ...aws, endpoint: product.stack.sqs });
    const events = new EventBridgeClient({ ...aws, endpoint: product.stack.eventbridge });
    ruleQueueUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: `${product.stack.prefix}tenant-rule` }))
    ).QueueUrl!;
    const arn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: ruleQueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes!.QueueArn!;
    await events.send(
      new PutRuleCommand({
        Name: 'my-tenant-events',
        EventBusName: product.stack.eventBusName,
        EventPattern: JSON.stringify({ detail: { tenantId: [product.stack.tenantId] } }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'my-tenant-events',
        EventBusName: product.stack.eventBusName,
        Targets: [{ Id: 'queue', Arn: arn }],
      }),
    );
    events.destroy();
  });
  afterAll(async () => {
    socket?.close();
    sqs?.destroy();
    await receiver?.close();
    await product?.stop();
  });

  let sessionId: string;

  it('subscribes a webhook and shows the secret once', async () => {
    const created = await api.post<{ id: string; secret: string }>('/v1/webhooks', {
      url: receiver.url,
      events: ['session.status', 'message.status', 'message.received'],
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    secret = created.body.secret;
    const read = await api.get(`/v1/webhooks/${created.body.id}`);
    expect(JSON.stringify(read.body)).not.toContain(secret.slice(6));
  });

  it('pairs through the browser socket: QR frame, simulated scan, connected frame', async () => {
    const sim = product.simulator!;
    sessionId = (await api.post<{ id: string }>('/v1/sessions', { name: 'shop' })).body.id;
    const ticket = await api.post<{ ticket: string }>(`/v1/sessions/${sessionId}/ws-tickets`);
    expect(ticket.status).toBe(201);
    socket = new WebSocket(`${product.stack.wsUrl}?ticket=${encodeURIComponent(ticket.body.ticket)}`);
    socket.on('message', (data: Buffer) =>
      frames.push(JSON.parse(data.toString()) as (typeof frames)[number]),
    );
    await new Promise<void>((resolve, reject) => {
      socket!.once('open', () => resolve());
      socket!.once('error', reject);
    });

    const qrFrame = await eventually('a session.qr frame', async () =>
      frames.find((f) => f.type === 'session.qr'),
    );
    expect(qrFrame.sessionId).toBe(sessionId);
    // Today's WhatsApp answers the first scan with companion_reg_refresh: the host re-draws the QR with a new
    // adv secret (a new session.qr frame) and the user scans that one.
    const scan = await sim.scanQr(String(qrFrame.qr), digits(ACCOUNT));
    expect(scan.outcome).toBe('refreshed');
    const redrawn = await eventually('the re-drawn session.qr frame', async () =>
      frames.find((f) => f.type === 'session.qr' && f.qr !== qrFrame.qr),
    );
    expect((await sim.scanQr(String(redrawn.qr), digits(ACCOUNT))).outcome).toBe('paired');
    const connected = await eventually('a connected frame', async () =>
      frames.find((f) => f.type === 'session.status' && f.status === 'connected'),
    );
    expect(connected.phone).toBe(ACCOUNT);
  });

  it('delivers signed session.status, message.status and message.received webhooks, and the rule sees them', async () => {
    const sim = product.simulator!;
    const sent = await api.post<{ id: string }>(`/v1/sessions/${sessionId}/messages`, {
      to: CONTACT,
      type: 'text',
      text: { body: 'Hello from the shop' },
      metadata: { campaign: 'welcome' },
    });
    expect(sent.status).toBe(202);
    const entry = await eventually('the text at the contact', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.text === 'Hello from the shop'),
    );
    sim.sendReceipt(digits(CONTACT), entry.id, 'delivered');
    await eventually('delivered', async () => {
      const m = await api.get<{ status: string }>(`/v1/sessions/${sessionId}/messages/${sent.body.id}`);
      return m.body.status === 'delivered' ? true : undefined;
    });
    sim.sendReceipt(digits(CONTACT), entry.id, 'read');
    await sim.contactSend(digits(CONTACT), digits(ACCOUNT), 'Hi shop!');

    const webhook = new Webhook(secret);
    const verified = await eventually(
      'all expected webhooks',
      async () => {
        const envelopes = receiver.received.map((r) => webhook.verify(r.body, r.headers) as Envelope);
        const statuses = envelopes
          .filter((e) => e.type === 'message.status')
          .map((e) => (e.data as { status: string }).status);
        const ok =
          envelopes.some(
            (e) => e.type === 'session.status' && (e.data as { status: string }).status === 'connected',
          ) &&
          statuses.includes('delivered') &&
          statuses.includes('read') &&
          envelopes.some((e) => e.type === 'message.received');
        return ok ? envelopes : undefined;
      },
      60_000,
    );
    expect(verified.every((e) => e.tenantId === product.stack.tenantId && e.sessionId === sessionId)).toBe(
      true,
    );
    const status = verified.find((e) => e.type === 'message.status')!;
    expect(JSON.stringify(status.data)).toContain('welcome');
    // A tampered body fails verification: the signature covers the exact bytes.
    const first = receiver.received[0]!;
    expect(() => webhook.verify(first.body.replace('"', ' "'), first.headers)).toThrow();

    const seenByRule = new Set<string>();
    await eventually('the same events on the tenant’s rule target', async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: ruleQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of Messages) seenByRule.add((JSON.parse(m.Body!) as { detail: Envelope }).detail.id);
      return verified.every((e) => seenByRule.has(e.id)) ? true : undefined;
    });
  });
});
