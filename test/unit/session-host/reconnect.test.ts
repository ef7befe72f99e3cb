import { DisconnectReason } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { backoffDelay, closeAction } from '../../../session-host/reconnect.js';

describe('reconnect policy', () => {
  it.each([
    [DisconnectReason.restartRequired, true, 'restart'],
    [DisconnectReason.restartRequired, false, 'restart'],
    [DisconnectReason.loggedOut, true, 'logged_out'],
    [DisconnectReason.connectionReplaced, true, 'replaced'],
    [DisconnectReason.timedOut, false, 'qr_expired'],
    [DisconnectReason.connectionLost, true, 'retry'],
    [DisconnectReason.connectionClosed, true, 'retry'],
    [DisconnectReason.unavailableService, true, 'retry'],
    [undefined, true, 'retry'],
    [DisconnectReason.forbidden, true, 'failed'],
    [DisconnectReason.badSession, true, 'failed'],
    [DisconnectReason.multideviceMismatch, true, 'failed'],
  ] as const)('close %s (linked %s) -> %s', (code, linked, kind) => {
    expect(closeAction(code, linked).kind).toBe(kind);
  });

  it('failed outcomes carry a stable code', () => {
    expect(closeAction(DisconnectReason.forbidden, true)).toMatchObject({
      kind: 'failed',
      code: 'forbidden',
    });
  });

  it('backoff is full jitter under an exponential ceiling capped at the maximum', () => {
    expect(backoffDelay(0, 100, 1_000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 1_000, () => 0.999)).toBe(799);
    expect(backoffDelay(10, 100, 1_000, () => 0.999)).toBe(999);
    expect(backoffDelay(500, 100, 1_000, () => 0.5)).toBe(500);
    expect(backoffDelay(5, 100, 1_000, () => 0)).toBe(0);
  });
});
