/**
 * The pairing page in real Chromium (playwright-core driving the Chromium build that ships inside the
 * `@sparticuz/chromium` npm package, so `npm install` alone provides it) against the local
 * product with the real API, authorizer and WebSocket gateway, but no session host: the test plays the host's
 * part by pushing `session.qr` / `session.status` frames with the real `ApiGatewayWsPusher`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import PackagedChromium from '@sparticuz/chromium';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/local-aws.js';
import { silentLog } from '../../../local/log.js';
import { startLocalProduct, type RunningLocalProduct } from '../../../local/product.js';
import { createAwsClients } from '../../../shared/adapters/aws/clients.js';
import { ApiGatewayWsPusher } from '../../../shared/adapters/aws/api-gateway-ws-pusher.js';
import { DynamoWsConnectionRepository } from '../../../shared/adapters/dynamodb/ws-connection-repository.js';
import { loadAppConfig } from '../../../shared/config/app-config.js';
import { sessionQrFrame, sessionStatusFrame } from '../../../shared/contracts/ws-frames.js';
import { nowIso } from '../../../shared/domain/ids.js';
import { ApiClient, eventually } from '../../support/api-client.js';

describe('pairing page (Chromium)', () => {
  let product: RunningLocalProduct;
  let browser: Browser;
  let api: ApiClient;
  let pusher: ApiGatewayWsPusher;
  let management: ApiGatewayManagementApiClient;
  let connections: DynamoWsConnectionRepository;

  beforeAll(async () => {
    product = await startLocalProduct({
      hosts: 0,
      simulator: false,
      stackFile: join(mkdtempSync(join(tmpdir(), 'pairing-page-')), 'stack.json'),
      log: silentLog,
    });
    api = new ApiClient(product.stack.apiUrl, product.stack.tenantApiKey ?? '');
    const config = loadAppConfig();
    const { dynamo } = createAwsClients(config, { endpoints: { dynamodb: product.stack.dynamodb } });
    connections = new DynamoWsConnectionRepository({ dynamo, config });
    management = new ApiGatewayManagementApiClient({
      endpoint: product.stack.connectionsUrl,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    pusher = new ApiGatewayWsPusher({ client: management, connections });
    // The package carries the browser compressed; executablePath() unpacks it once (no download).
    browser = await chromium.launch({
      executablePath: await PackagedChromium.executablePath(),
      // Its Lambda flags minus --single-process, which ends the browser with the first closed context.
      args: PackagedChromium.args.filter((arg) => arg !== '--single-process'),
    });
  });
  afterAll(async () => {
    await browser?.close();
    management?.destroy();
    await product?.stop();
  });

  async function newSession(): Promise<string> {
    const created = await api.post<{ id: string }>('/v1/sessions', { name: 'browser test' });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function openPage(sessionId: string): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const url = new URL(product.stack.consoleUrl);
    url.searchParams.set('key', product.stack.tenantApiKey ?? '');
    url.searchParams.set('session', sessionId);
    await page.goto(url.toString());
    await page.waitForSelector('#status[data-socket="open"]');
    expect(errors).toEqual([]);
    return page;
  }

  /** Number of dark pixels on the canvas: a drawn QR has many, an empty canvas none. */
  const darkPixels = (page: Page) =>
    page.evaluate(() => {
      const canvas = document.getElementById('qr') as HTMLCanvasElement;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 255) < 100 && (data[i + 3] ?? 0) > 0) dark++;
      return dark;
    });
  const canvasImage = (page: Page) =>
    page.evaluate(() => (document.getElementById('qr') as HTMLCanvasElement).toDataURL());

  it('draws the QR, redraws it when a new one arrives, and shows connected', async () => {
    const sessionId = await newSession();
    const page = await openPage(sessionId);
    expect(await page.isVisible('#qr')).toBe(false);

    const expiresAt = new Date(Date.now() + 20_000).toISOString();
    const first = await pusher.pushToSession(
      sessionId,
      sessionQrFrame({ sessionId, qr: '2@first-ref,noise,identity,adv', refresh: 1, expiresAt }),
    );
    expect(first.sent).toBe(1);
    await page.waitForSelector('#qr[data-refresh="1"]', { state: 'visible' });
    expect(await darkPixels(page)).toBeGreaterThan(1000);
    const firstImage = await canvasImage(page);
    expect(await page.getAttribute('#status', 'data-status')).toBe('qr');

    await pusher.pushToSession(
      sessionId,
      sessionQrFrame({ sessionId, qr: '2@second-ref,noise,identity,adv', refresh: 2, expiresAt }),
    );
    await page.waitForSelector('#qr[data-refresh="2"]');
    expect(await canvasImage(page)).not.toBe(firstImage);
    expect(await darkPixels(page)).toBeGreaterThan(1000);

    await pusher.pushToSession(
      sessionId,
      sessionStatusFrame({ sessionId, status: 'connected', phone: '+15551234567', at: nowIso() }),
    );
    await page.waitForSelector('#status[data-status="connected"]');
    expect(await page.textContent('#connected')).toContain('+15551234567');
    expect(await page.isVisible('#qr')).toBe(false);
    await page.close();
  });

  it('an expired QR offers "try again", which starts the same session again and listens to it', async () => {
    const sessionId = await newSession();
    const page = await openPage(sessionId);
    await pusher.pushToSession(
      sessionId,
      sessionQrFrame({ sessionId, qr: '2@ref', refresh: 1, expiresAt: new Date().toISOString() }),
    );
    await page.waitForSelector('#qr[data-refresh="1"]');
    // What a host leaves behind when nobody scans: the session stopped (here through a logout, no host runs).
    expect((await api.post(`/v1/sessions/${sessionId}/logout`)).status).toBe(200);
    await pusher.pushToSession(
      sessionId,
      sessionStatusFrame({ sessionId, status: 'qr_expired', at: nowIso() }),
    );
    await page.waitForSelector('#expired', { state: 'visible' });
    expect(await page.getAttribute('#status', 'data-status')).toBe('qr_expired');
    // The page closed its socket on the terminal status.
    await eventually('the old connection to go', async () =>
      (await connections.listBySession(sessionId)).length === 0 ? true : undefined,
    );

    const before = (await api.get<{ items: { id: string }[] }>('/v1/sessions')).body.items.length;
    await page.click('#try-again');
    await eventually('the session wanted running again', async () => {
      const session = await api.get<{ desired: string; status: string }>(`/v1/sessions/${sessionId}`);
      return session.body.desired === 'running' && session.body.status === 'starting' ? true : undefined;
    });
    expect((await api.get<{ items: unknown[] }>('/v1/sessions')).body.items).toHaveLength(before);
    expect(await page.inputValue('#session-select')).toBe(sessionId);
    await eventually('the page to listen to the session again', async () =>
      (await connections.listBySession(sessionId)).length === 1 ? true : undefined,
    );
    const fresh = sessionId;
    await pusher.pushToSession(
      fresh,
      sessionQrFrame({
        sessionId: fresh,
        qr: '2@fresh',
        refresh: 1,
        expiresAt: new Date(Date.now() + 20_000).toISOString(),
      }),
    );
    await page.waitForSelector('#qr[data-refresh="1"]', { state: 'visible' });
    expect(await page.isVisible('#expired')).toBe(false);
    await page.close();
  });
});
