/**
 * The phone scans a session's QR as a user of the API sees it: `GET /v1/sessions/{id}/qr`, then, since today's
 * server answers the first scan with `companion_reg_refresh`, the QR the host re-draws with its new adv secret.
 * (test/e2e/send-and-receive.test.ts asserts that refresh step by step.)
 */
import type { WhatsAppSimulator } from '../../simulator/index.js';
import { type ApiClient, eventually } from './api-client.js';

export async function scanApiQr(
  sim: WhatsAppSimulator,
  api: ApiClient,
  sessionId: string,
  phoneDigits: string,
  timeoutMs = 60_000,
): Promise<void> {
  const readQr = async (): Promise<string | undefined> => {
    const r = await api.get<{ qr: string }>(`/v1/sessions/${sessionId}/qr`);
    return r.status === 200 ? r.body.qr : undefined;
  };
  const qr = await eventually('a QR', readQr, timeoutMs);
  if ((await sim.scanQr(qr, phoneDigits)).outcome === 'paired') return;
  const redrawn = await eventually(
    'the QR re-drawn after companion_reg_refresh',
    async () => {
      const next = await readQr();
      return next !== undefined && next !== qr ? next : undefined;
    },
    timeoutMs,
  );
  const second = await sim.scanQr(redrawn, phoneDigits);
  if (second.outcome !== 'paired') throw new Error(`the re-drawn QR did not pair (${second.outcome})`);
}
