/**
 * The session host on today's server (compat/stream-ack.ts, compat/wa-version.ts): a stream ended with
 * `<stream:error><ack/>` is reconnected, not `failed`, up to APP_STREAM_ACK_RETRIES in a row; the login
 * announces APP_WA_VERSION.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextSimEvent } from '../../simulator/helpers.js';
import {
  createSession,
  freshPhone,
  linkByQr,
  sessionNow,
  startHostWorld,
  until,
  type HostWorld,
} from './support.js';

const VERSION = '2.3000.1099999999';

describe('session host: <stream:error><ack/> and the announced WA Web version', () => {
  let world: HostWorld;
  let phone: string;
  let sessionId: string;

  beforeAll(async () => {
    world = await startHostWorld();
    await world.startHost({ APP_STREAM_ACK_RETRIES: '1', APP_WA_VERSION: VERSION });
    phone = freshPhone();
    const session = await createSession(world.adapters);
    sessionId = session.id;
    const login = nextSimEvent<
      [{ kind: string; payload: { userAgent?: { appVersion?: object | null } | null } }]
    >(world.sim.events, 'client-payload', (e) => e.kind === 'registration', 30_000);
    await linkByQr(world, session, phone);
    expect((await login)[0].payload.userAgent?.appVersion).toMatchObject({
      primary: 2,
      secondary: 3000,
      tertiary: 1099999999,
    });
  }, 90_000);
  afterAll(async () => world?.stop(), 60_000);

  it('an ack stream error is reconnected: the session is connected again, never failed', async () => {
    const relogin = nextSimEvent(world.sim.events, 'login', () => true, 20_000);
    expect(await world.sim.streamErrorAck(phone)).toEqual([1]);
    await relogin; // stock handling (500 -> failed) never logs in again
    const back = await until(
      () => sessionNow(world.adapters, sessionId),
      (s) => s.status === 'connected',
      'connected again',
    );
    expect(back.lastError).toBeUndefined();
    expect(back.desired).toBe('running');
  });

  it('past APP_STREAM_ACK_RETRIES in a row the session is failed with stream_error_ack', async () => {
    expect(await world.sim.streamErrorAck(phone)).toEqual([1]);
    const out = await until(
      () => sessionNow(world.adapters, sessionId),
      (s) => s.status === 'failed' && s.desired === 'stopped',
      'failed (and stopped) after the second ack error in a row',
    );
    expect(out.lastError?.code).toBe('stream_error_ack');
  });
});
