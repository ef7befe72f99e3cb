/**
 * How sessions end on the host, against the simulator with real Baileys: a lost lease stops the socket at once
 * and writes nothing more; an unlink from the phone, a logout command and a replaced connection stop for good
 * (desired `stopped`, never retried); a tenant's stop closes and releases; tampered credentials make the session
 * `failed` with a clear error instead of a crash loop.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { physicalTableName } from '../../../shared/definitions/tables.js';
import { newId } from '../../../shared/domain/ids.js';
import { credentialsKey } from '../../../session-host/auth-state.js';
import type { SessionHost } from '../../../session-host/host.js';
import { startSession } from '../../../shared/services/sessions.js';
import { connect, endAll, memoryAuth, opened } from '../../simulator/helpers.js';
import {
  createSession,
  credentialItemKeys,
  freshPhone,
  linkByQr,
  sessionNow,
  startHostWorld,
  storedCreds,
  until,
  type HostWorld,
} from './support.js';

describe('session host: how sessions stop', () => {
  let world: HostWorld;
  let host: SessionHost;

  beforeAll(async () => {
    world = await startHostWorld();
    host = await world.startHost();
  }, 60_000);
  afterAll(async () => world?.stop(), 60_000);

  const devicesOf = (phone: string) => world.sim.getAccount(phone)?.devices ?? [];
  const online = (phone: string) => devicesOf(phone).some((d) => d.online);

  it('a lost lease (another host took it) stops the socket at once and writes nothing more', async () => {
    const phone = freshPhone();
    const session = await createSession(world.adapters);
    await linkByQr(world, session, phone);
    expect(online(phone)).toBe(true);

    await world.adapters.clients.dynamo.send(
      new UpdateCommand({
        TableName: physicalTableName(world.cloud.stack.prefix, 'sessions'),
        Key: { sessionId: session.id },
        UpdateExpression: 'SET #owner = :thief, leaseUntil = :until',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':thief': 'thief-host', ':until': Date.now() + 600_000 },
      }),
    );
    await until(
      () => online(phone),
      (o) => !o,
      'the device offline',
    );
    await until(
      () => host.sessions().has(session.id),
      (has) => !has,
      'the runner gone',
    );
    const after = await sessionNow(world.adapters, session.id);
    expect(after.owner).toBe('thief-host');
    expect(after.status).toBe('connected'); // the thief's to change; the old host wrote nothing
    // Never logged out: the device is still linked for the new owner.
    expect(devicesOf(phone)).toHaveLength(1);
  }, 60_000);

  it('unlinked from the phone: logged_out, credentials erased, never retried', async () => {
    const phone = freshPhone();
    const session = await createSession(world.adapters);
    await linkByQr(world, session, phone);

    await world.sim.unlink(phone);
    const out = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.status === 'logged_out' && s.owner === undefined,
      'logged_out and released',
    );
    expect(out.desired).toBe('stopped');
    expect(out.lastError?.code).toBe('logged_out');
    expect(await credentialItemKeys(world, session.id)).toEqual([]);
    expect(await world.adapters.sessions.findClaimable(Date.now(), 100)).not.toContainEqual(
      expect.objectContaining({ id: session.id }),
    );
  }, 60_000);

  it('a session.logout command unlinks on WhatsApp and erases the credentials', async () => {
    const phone = freshPhone();
    const session = await createSession(world.adapters);
    await linkByQr(world, session, phone);
    const loggedOut: unknown[] = [];
    world.sim.events.on('logout', (e) => loggedOut.push(e));

    await world.adapters.commandQueue.send(host.queueUrl, {
      type: 'session.logout',
      tenantId: session.tenantId,
      sessionId: session.id,
      sentAt: new Date().toISOString(),
    });
    const out = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.status === 'logged_out' && s.owner === undefined,
      'logged_out and released',
    );
    expect(out.desired).toBe('stopped');
    expect(loggedOut).toHaveLength(1);
    expect(devicesOf(phone)).toHaveLength(0);
    expect(await credentialItemKeys(world, session.id)).toEqual([]);
  }, 60_000);

  it('a tenant stop (desired stopped + session.stop) closes without logout and releases', async () => {
    const phone = freshPhone();
    const session = await createSession(world.adapters);
    await linkByQr(world, session, phone);

    await world.adapters.sessions.setDesired(session.tenantId, session.id, 'stopped');
    await world.adapters.commandQueue.send(host.queueUrl, {
      type: 'session.stop',
      tenantId: session.tenantId,
      sessionId: session.id,
      sentAt: new Date().toISOString(),
    });
    const out = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.status === 'disconnected' && s.owner === undefined,
      'disconnected and released',
    );
    expect(out.lastError).toBeUndefined();
    await until(
      () => online(phone),
      (o) => !o,
      'the device offline',
    );
    expect(devicesOf(phone)).toHaveLength(1); // still linked
  }, 60_000);

  it('replaced by another client with the same device: stops and reports, does not fight', async () => {
    const phone = freshPhone();
    const session = await createSession(world.adapters);
    await linkByQr(world, session, phone);
    const replaced: unknown[] = [];
    world.sim.events.on('replaced', (e) => replaced.push(e));

    // A clone of the device (its stored credentials) logs in elsewhere.
    const creds = (await storedCreds(world.adapters, session.id))!;
    const intruder = connect(world.sim, memoryAuth(creds));
    try {
      await opened(intruder);
      const out = await until(
        () => sessionNow(world.adapters, session.id),
        (s) => s.status === 'disconnected' && s.owner === undefined,
        'disconnected and released',
      );
      expect(out.lastError?.code).toBe('connection_replaced');
      expect(out.desired).toBe('stopped');
      expect(replaced).toHaveLength(1);
      expect(host.sessions().has(session.id)).toBe(false);
    } finally {
      endAll([intruder]);
    }
  }, 60_000);

  it('tampered credentials: failed with credentials_unreadable, not retried, the host stays healthy', async () => {
    const id = newId();
    const key = credentialsKey(id);
    // A legacy (pre-#14) object, tampered: the migration on attach refuses it.
    await world.adapters.legacyCredentials.put(key, Buffer.from('{"v":1,"creds":{},"keys":{}}'), {
      ifAbsent: true,
    });
    const bucket = world.cloud.stack.credentialsBucket;
    const raw = await world.adapters.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from(await raw.Body!.transformToByteArray());
    const at = bytes.length - 20;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at); // one flipped ciphertext byte
    await world.adapters.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));

    const session = await createSession(world.adapters, undefined, id);
    const out = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.status === 'failed' && s.owner === undefined,
      'failed and released',
    );
    expect(out.lastError?.code).toBe('credentials_unreadable');
    expect(out.lastError?.message).toContain('authentication-failed');
    expect(out.desired).toBe('stopped');
    expect(host.sessions().has(session.id)).toBe(false);
    const health = await fetch(host.healthUrl);
    expect(health.status).toBe(200);
  }, 60_000);
  it('a QR nobody scans expires after the refresh limit: qr_expired, socket closed, not retried until started again', async () => {
    await host.stop();
    host = await world.startHost({ APP_QR_REFRESH_LIMIT: '2', APP_QR_TIMEOUT_MS: '1000' });
    const refs: number[] = [];
    const disconnects: number[] = [];
    world.sim.events.on('qr-refs', (e) => refs.push(e.connectionId));
    world.sim.events.on('disconnect', (e) => disconnects.push(e.connectionId));
    const session = await createSession(world.adapters);
    const out = await until(
      () => sessionNow(world.adapters, session.id),
      (s) => s.status === 'qr_expired' && s.owner === undefined,
      'qr_expired and released',
    );
    expect(out.qr).toBeUndefined();
    expect(out.desired).toBe('stopped');
    expect(host.sessions().has(session.id)).toBe(false);
    expect(refs.length).toBeGreaterThan(0);
    // The registration socket was closed by the host (not left showing QRs).
    await until(
      () => refs.every((id) => disconnects.includes(id)),
      Boolean,
      'the registration socket closed',
    );

    // `POST /v1/sessions/{id}/start`'s use case: the same session is claimed again and shows a new QR.
    const restarted = await startSession(
      { repos: { sessions: world.adapters.sessions } },
      session.tenantId,
      session.id,
    );
    expect(restarted.started).toBe(true);
    const linked = await linkByQr(world, out, freshPhone());
    expect(linked).toMatchObject({ id: session.id, status: 'connected', desired: 'running' });
  }, 60_000);
});
