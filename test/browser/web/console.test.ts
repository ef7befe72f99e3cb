/// <reference lib="dom" />
/**
 * The console in real Chromium against the whole local product: API, authorizer, WebSocket gateway, workers,
 * the WhatsApp simulator and a session host process running real Baileys. Nothing is faked: the QR the test
 * scans is decoded from the console's canvas, the pairing code is read off the page, messages come from the
 * simulated contact's phone, and every live change reaches the page over the real-time room.
 *
 * Every screen is photographed at desktop and phone widths into `.local/screenshots/` for review.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type JsQrModule from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLog } from '../../../local/log.js';
import { startLocalProduct, type RunningLocalProduct } from '../../../local/product.js';
import { ApiClient, eventually } from '../../support/api-client.js';
import { launchChromium } from '../../support/chromium.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';

// jsQR is CommonJS with a default export: required, so the call works under Node's ESM interop.
const jsQR = createRequire(import.meta.url)('jsqr') as typeof JsQrModule.default;
const ACCOUNT = '+15550007001';
const SECOND_ACCOUNT = '+15550007002';
const CONTACT = '+15550007003';
const digits = (e164: string) => e164.slice(1);
const SCREENSHOTS = join(process.cwd(), '.local', 'screenshots');

describe('console (Chromium, real host and Baileys)', () => {
  let product: RunningLocalProduct;
  let browser: Browser;
  let page: Page;
  let receiver: WebhookReceiver;
  let sessionId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [product, browser, receiver] = await Promise.all([
      startLocalProduct({
        simulator: true,
        hosts: 1,
        stackFile: false,
        log: silentLog,
        hostOutput: 'ignore',
        // One attempt: a delivery to a failing endpoint ends `failed` at once, ready to be replayed.
        cloudEnv: { APP_WEBHOOK_MAX_ATTEMPTS: '1', APP_AUTH_CACHE_MS: '1000' },
      }),
      launchChromium(),
      startWebhookReceiver(),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    if (process.env.CONSOLE_TEST_LOGS)
      page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await product?.stop();
  });

  const nav = (name: string) =>
    page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();

  /** The screen at desktop width, then at a 360 px phone's. */
  async function shoot(name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 860 });
  }

  /** The QR as a phone's camera reads it: decoded from the canvas pixels the console drew. */
  async function readCanvasQr(): Promise<string> {
    const image = await page.getByTestId('qr').evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      return { data: Array.from(data.data), width: data.width, height: data.height };
    });
    const decoded = jsQR(Uint8ClampedArray.from(image.data), image.width, image.height);
    if (!decoded) throw new Error('the canvas holds no readable QR');
    return decoded.data;
  }

  it('refuses a wrong key with a clear message, and signs in with the tenant key kept out of the URL', async () => {
    await page.goto(product.stack.consoleUrl);
    await page.waitForURL(/\/console\/sign-in$/);
    await page.getByLabel('API key').fill('wak_thisisnotakeythisisnotakeythisisnotake');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid');
    await shoot('sign-in-refused');

    await page.getByLabel('API key').fill(product.stack.tenantApiKey!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/console\/sessions$/);
    await page.locator('[data-live="open"]').waitFor();
    expect(page.url()).not.toContain('wak_');
    expect(await page.evaluate(() => Object.values(sessionStorage).join())).toContain(
      product.stack.tenantApiKey!,
    );
  });

  it('links a session by scanning the QR the console draws (through the pairing refresh)', async () => {
    const sim = product.simulator!;
    await page.getByLabel('New session name').fill('Support line');
    await page.getByRole('button', { name: 'Create and link' }).click();
    await page.getByTestId('qr').waitFor();
    await shoot('sessions-link-qr');
    const first = await readCanvasQr();
    // Today's server answers the first scan with companion_reg_refresh; the console re-draws the new QR.
    expect((await sim.scanQr(first, digits(ACCOUNT))).outcome).toBe('refreshed');
    const redrawn = await eventually('the re-drawn QR on the canvas', async () => {
      const now = await readCanvasQr();
      return now !== first ? now : undefined;
    });
    expect((await sim.scanQr(redrawn, digits(ACCOUNT))).outcome).toBe('paired');
    await page.getByTestId('linked').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('linked').textContent()).toContain(ACCOUNT);

    const card = page.locator('[data-testid="session-card"][data-status="connected"]');
    await card.waitFor();
    sessionId = (await card.getAttribute('data-session-id'))!;
    expect(await card.textContent()).toContain(ACCOUNT);
    // Where it runs: the host process holding its lease.
    expect(await card.getByTestId('runs-on').textContent()).toContain(product.hosts[0]!.hostId);
    await page.getByRole('button', { name: 'Close' }).click();
    await shoot('sessions');
  });

  it('links a second session by pairing code shown on the page', async () => {
    const sim = product.simulator!;
    sim.addAccount(digits(SECOND_ACCOUNT));
    await page.getByLabel('New session name').fill('Sales line');
    await page.getByRole('button', { name: 'Create and link' }).click();
    await page.getByRole('tab', { name: 'Phone number' }).click();
    await page.getByLabel(/Phone number of the WhatsApp account/).fill(SECOND_ACCOUNT);
    await page.getByRole('button', { name: 'Get a code' }).click();
    const code = page.getByTestId('pairing-code');
    await code.waitFor({ timeout: 30_000 });
    await shoot('sessions-link-code');
    const shown = (await code.textContent())!.replace('Pairing code: ', '').trim();
    await sim.enterPairingCode(digits(SECOND_ACCOUNT), shown);
    await page.getByTestId('linked').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Close' }).click();
    await page.locator('[data-testid="session-card"][data-status="connected"]').nth(1).waitFor();
  });

  it('shows a contact’s messages live in the list and the open thread, and opening the chat sends read receipts', async () => {
    const sim = product.simulator!;
    await nav('Chats');
    await page.getByLabel('Session', { exact: true }).selectOption(sessionId);
    const row = page.locator(`[data-testid="chat-row"][data-chat="${CONTACT}"]`);
    expect(await row.count()).toBe(0);

    const hello = await sim.contactSend(digits(CONTACT), digits(ACCOUNT), 'Hello, is my order on its way?');
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain('Hello, is my order on its way?');
    await expect.poll(() => row.getAttribute('data-unread')).toBe('1');
    await shoot('chats');

    await row.getByRole('link').click();
    const thread = page.getByTestId('thread');
    await thread.getByText('Hello, is my order on its way?').waitFor();
    // Opening the chat marked it read: the contact's phone got the read receipt, the unread count is gone.
    await eventually('the read receipt on the contact’s phone', async () =>
      sim.outbox(digits(CONTACT)).find((e) => e.id === hello.id)?.status === 'read' ? true : undefined,
    );
    await expect.poll(() => row.getAttribute('data-unread')).toBe('0');

    await sim.contactSend(digits(CONTACT), digits(ACCOUNT), 'It is a blue bicycle.');
    await thread.getByText('It is a blue bicycle.').waitFor({ timeout: 20_000 });
    await shoot('thread');
  });

  it('replies and reacts from the composer, and the contact’s phone has both; ticks turn to read live', async () => {
    const sim = product.simulator!;
    const thread = page.getByTestId('thread');
    const question = sim.outbox(digits(CONTACT)).find((e) => e.text === 'It is a blue bicycle.')!;
    const bubble = thread.locator('[data-testid="message"][data-direction="inbound"]', {
      hasText: 'It is a blue bicycle.',
    });
    await bubble.getByRole('button', { name: 'Reply to this message' }).click();
    await page.getByLabel('Message', { exact: true }).fill('It ships tomorrow.');
    await page.getByRole('button', { name: 'Send' }).click();

    const reply = thread.locator('[data-testid="message"][data-direction="outbound"]', {
      hasText: 'It ships tomorrow.',
    });
    await reply.waitFor();
    expect(await reply.getByTestId('quote').textContent()).toContain('It is a blue bicycle.');
    const delivered = await eventually('the reply on the contact’s phone', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.text === 'It ships tomorrow.'),
    );
    const context = (delivered.content.extendedTextMessage as { contextInfo?: { stanzaId?: string } })
      .contextInfo;
    expect(context?.stanzaId).toBe(question.id);
    await expect.poll(() => reply.getAttribute('data-status'), { timeout: 20_000 }).toBe('sent');

    sim.sendReceipt(digits(CONTACT), delivered.id, 'read');
    await expect.poll(() => reply.getAttribute('data-status'), { timeout: 20_000 }).toBe('read');
    expect(await reply.getByTestId('tick').getAttribute('aria-label')).toBe('read');

    await bubble.locator('summary').click();
    await bubble.getByRole('button', { name: 'React 👍' }).click();
    const reaction = await eventually('the reaction on the contact’s phone', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.type === 'reaction'),
    );
    expect(reaction.content.reactionMessage).toMatchObject({ text: '👍', key: { id: question.id } });
    await expect.poll(() => bubble.getByTestId('reactions').textContent()).toContain('👍');
  });

  it('uploads and sends an image, shown inline, which the contact receives', async () => {
    const sim = product.simulator!;
    const png = await QRCode.toBuffer('a picture', { type: 'png', width: 120 });
    await page.getByTestId('attach').setInputFiles({ name: 'chart.png', mimeType: 'image/png', buffer: png });
    await page.getByLabel('Message', { exact: true }).fill('the chart');
    await page.getByRole('button', { name: 'Send' }).click();
    const received = await eventually('the image on the contact’s phone', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.type === 'image'),
    );
    expect(received.media).toMatchObject({ mimetype: 'image/png', fileLength: png.length });
    const image = page.getByTestId('thread').getByTestId('message-image');
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await shoot('thread-image');
  });

  it('edits and deletes our message from the thread, shows the contact’s edit, and a poll’s tally live', async () => {
    const sim = product.simulator!;
    const thread = page.getByTestId('thread');
    await page.getByLabel('Message', { exact: true }).fill('Pickup at 3');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const ours = thread.locator('[data-testid="message"][data-direction="outbound"]', {
      hasText: 'Pickup at 3',
    });
    await expect.poll(() => ours.getAttribute('data-status'), { timeout: 20_000 }).toBe('sent');
    const oursId = (await ours.getAttribute('data-message-id'))!;
    const bubble = thread.locator(`[data-message-id="${oursId}"]`);

    // Edit: the contact's phone shows the new text; the bubble is marked edited, with the earlier text.
    await bubble.getByRole('button', { name: 'Edit this message' }).click();
    await bubble.getByLabel('New text').fill('Pickup at 4');
    await bubble.getByRole('button', { name: 'Save edit' }).click();
    const onPhone = await eventually('the edit on the contact’s phone', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.edited && e.text === 'Pickup at 4'),
    );
    expect(onPhone.editHistory).toEqual(['Pickup at 3']);
    await expect.poll(() => bubble.getAttribute('data-edited'), { timeout: 20_000 }).toBe('true');
    expect(await bubble.locator('.text').textContent()).toBe('Pickup at 4');
    await bubble.getByTestId('edited').locator('summary').click();
    expect(await bubble.getByTestId('edit-history').textContent()).toContain('Pickup at 3');

    // Delete for everyone (asked once more): gone on the phone, "deleted" in the thread.
    await bubble.getByRole('button', { name: 'Delete', exact: true }).click();
    await bubble
      .getByRole('group', { name: 'Delete for everyone?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await eventually('the revoke on the contact’s phone', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.id === onPhone.id)?.revoked ? true : undefined,
    );
    await expect.poll(() => bubble.getAttribute('data-revoked'), { timeout: 20_000 }).toBe('true');
    expect(await bubble.getByTestId('revoked').textContent()).toContain('This message was deleted');

    // The contact edits its own message: the thread shows it live.
    const bicycle = sim.outbox(digits(CONTACT)).find((e) => e.text === 'It is a blue bicycle.')!;
    await sim.contactActions.edit(digits(CONTACT), digits(ACCOUNT), bicycle.id, 'It is a red bicycle.');
    const theirs = thread.locator('[data-testid="message"][data-direction="inbound"]', {
      hasText: 'It is a red bicycle.',
    });
    await theirs.waitFor({ timeout: 20_000 });
    expect(await theirs.getAttribute('data-edited')).toBe('true');

    // A poll composed in the thread; the contact votes and the tally moves live.
    await thread.getByText('Create a poll').click();
    await page.getByLabel('Question').fill('Pickup time?');
    await page.getByLabel('Options (one per line, 2-12)').fill('Morning\nEvening');
    await page.getByRole('button', { name: 'Send poll' }).click();
    const pollOnPhone = await eventually('the poll on the contact’s phone', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.type === 'poll'),
    );
    await sim.contactActions.vote(digits(CONTACT), digits(ACCOUNT), pollOnPhone.id, ['Evening']);
    const evening = thread.getByTestId('poll').locator('[data-option="Evening"]');
    await expect.poll(() => evening.getAttribute('data-count'), { timeout: 20_000 }).toBe('1');
    expect(
      await thread.getByTestId('poll').locator('[data-option="Morning"]').getAttribute('data-count'),
    ).toBe('0');
    expect(await evening.textContent()).toContain(CONTACT);
    await shoot('thread-actions-poll');
  });

  it('shows the contact typing live, its profile, and blocks and unblocks it; checks numbers', async () => {
    const sim = product.simulator!;
    const thread = page.getByTestId('thread');
    // The open thread subscribed to the contact's presence: its typing reaches the page over the live room.
    await eventually('the thread’s presence subscription', async () =>
      sim.contactChatState(digits(CONTACT), digits(ACCOUNT), 'composing') > 0 ? true : undefined,
    );
    await thread.getByTestId('typing').waitFor({ timeout: 20_000 });
    expect(await thread.getByTestId('typing').textContent()).toBe('typing…');
    await shoot('thread-typing');
    sim.contactChatState(digits(CONTACT), digits(ACCOUNT), 'paused');
    await thread.getByTestId('typing').waitFor({ state: 'detached', timeout: 20_000 });

    const profile = sim.setContactProfile(digits(CONTACT), { about: 'Cycling fan', picture: true });
    await thread.getByRole('button', { name: 'Contact', exact: true }).click();
    const panel = page.getByTestId('contact-panel');
    await expect
      .poll(() => panel.getByTestId('contact-about').textContent(), { timeout: 20_000 })
      .toBe('Cycling fan');
    expect(await panel.getByRole('img', { name: 'Profile picture' }).getAttribute('src')).toBe(
      profile.picture?.url,
    );
    await panel.getByRole('button', { name: 'Block' }).click();
    await eventually('the block on WhatsApp', async () =>
      sim.blockedBy(digits(ACCOUNT)).includes(digits(CONTACT)) ? true : undefined,
    );
    await panel.getByRole('button', { name: 'Unblock' }).click();
    await eventually('the unblock on WhatsApp', async () =>
      sim.blockedBy(digits(ACCOUNT)).length === 0 ? true : undefined,
    );

    await page.getByText('Check numbers').click();
    await page.getByLabel('Numbers (E.164, up to 50)').fill(CONTACT);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const result = page.getByTestId('check-results').locator(`[data-phone="${CONTACT}"]`);
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-exists')).toBe('true');
  });

  it('archives and pins the open chat, shown on the phone; the phone’s mute shows in the list live', async () => {
    const sim = product.simulator!;
    const row = page.locator(`[data-testid="chat-row"][data-chat="${CONTACT}"]`);
    const actions = page.getByRole('group', { name: 'Chat state' });
    await actions.getByRole('button', { name: 'Archive', exact: true }).click();
    await actions.getByRole('button', { name: 'Pin', exact: true }).click();
    await expect.poll(() => row.getAttribute('data-flags'), { timeout: 20_000 }).toBe('pinned archived');
    await eventually('the flags on the phone', async () => {
      const chats = await sim.phoneChats.flags(digits(ACCOUNT));
      const chat = chats.find((c) => c.jid === `${digits(CONTACT)}@s.whatsapp.net`);
      return chat?.archived && chat.pinned ? chat : undefined;
    });
    await sim.phoneChats.modify(digits(ACCOUNT), digits(CONTACT), { action: 'mute', until: -1 });
    await expect
      .poll(() => row.getAttribute('data-flags'), { timeout: 20_000 })
      .toBe('pinned archived muted');
    await actions.getByRole('button', { name: 'Unmute', exact: true }).waitFor();
    await shoot('chat-flags');
  });

  it('lists a contact’s group by its subject, names the sender in the thread, and renames it from the group panel', async () => {
    const sim = product.simulator!;
    const group = sim.groups.create(digits(CONTACT), 'Bike club', [digits(ACCOUNT)]);
    sim.groups.participants(group.id, digits(CONTACT), 'promote', [digits(ACCOUNT)]);
    await sim.groups.post(group.id, digits(CONTACT), { text: 'Ride on Sunday?' });
    await nav('Chats');
    await page.getByLabel('Session', { exact: true }).selectOption(sessionId);
    const row = page.locator(`[data-testid="chat-row"][data-chat="${group.jid}"]`);
    await expect.poll(() => row.getAttribute('data-group'), { timeout: 30_000 }).toBe('true');
    await expect
      .poll(() => row.locator('.chat-title').textContent(), { timeout: 20_000 })
      .toContain('Bike club');
    await row.getByRole('link').click();
    const post = page.locator('[data-testid="message"]', { hasText: 'Ride on Sunday?' });
    await expect
      .poll(() => post.getByTestId('sender').textContent(), { timeout: 20_000 })
      .toContain(digits(CONTACT));

    await page.getByRole('button', { name: 'Group info' }).click();
    const panel = page.getByTestId('group-panel');
    const roles = () =>
      panel
        .getByTestId('group-member')
        .evaluateAll((items) => items.map((i) => i.getAttribute('data-role')).sort());
    await expect.poll(roles, { timeout: 20_000 }).toEqual(['admin', 'superadmin']);
    await panel.getByLabel('Subject').fill('Bike club: Sunday ride');
    await panel.getByRole('button', { name: 'Rename' }).click();
    // The rename went to WhatsApp: the group's subject on the server, as every member's phone reads it.
    await eventually('the new subject on the server', async () =>
      sim.groups.get(group.id).subject === 'Bike club: Sunday ride' ? true : undefined,
    );
    await shoot('group');
  });

  it('rejects calls automatically once the session’s setting is on, with the reply sent', async () => {
    const sim = product.simulator!;
    await nav('Sessions');
    const card = page.locator(`[data-testid="session-card"][data-session-id="${sessionId}"]`);
    await card.getByLabel('Reject calls automatically').check();
    await card.getByLabel('Reply to the caller (optional)').fill('Please write instead.');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('Saved').waitFor();
    const call = sim.contactCall(digits(CONTACT), digits(ACCOUNT));
    await eventually('the call rejected', async () =>
      sim.getCall(call.id)?.status === 'rejected' ? true : undefined,
    );
    await eventually('the reply on the caller’s phone', async () =>
      sim.inbox(digits(CONTACT)).find((e) => e.text === 'Please write instead.'),
    );

    // The call reached the console live (call.received): listed beside the session's chats.
    await nav('Chats');
    await page.getByLabel('Session', { exact: true }).selectOption(sessionId);
    const listed = page.getByTestId('calls').locator(`[data-call-id="${call.id}"]`);
    await listed.waitFor({ timeout: 20_000 });
    expect(await listed.getAttribute('data-from')).toBe(CONTACT);
    expect(await listed.getAttribute('data-rejected')).toBe('true');
    expect(await listed.getAttribute('data-replied')).toBe('true');
    expect(await listed.textContent()).toContain(`Rejected voice call from ${CONTACT}`);
    await shoot('calls');
  });

  it('replays a failed webhook delivery from its log', async () => {
    receiver.respondWith(500);
    await nav('Webhooks');
    await page.getByText('New subscription').click();
    await page.getByLabel('Endpoint URL (https)').fill(receiver.url);
    await page.getByLabel('Description').fill('CRM');
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.getByTestId('webhook-secret').waitFor();
    expect(await page.getByTestId('webhook-secret').textContent()).toMatch(/whsec_/);

    await product.simulator!.contactSend(digits(CONTACT), digits(ACCOUNT), 'Are you there?');
    await page.getByRole('link', { name: 'Deliveries' }).click();
    const failed = page.locator('[data-testid="delivery"][data-status="failed"]').first();
    await failed.waitFor({ timeout: 30_000 });
    expect(await failed.textContent()).toContain('HTTP 500');
    await shoot('webhooks');

    receiver.respondWith(204);
    const before = receiver.received.length;
    const deliveryId = await failed.getAttribute('data-delivery-id');
    await failed.getByRole('button', { name: 'Replay' }).click();
    await page
      .locator(`[data-testid="delivery"][data-delivery-id="${deliveryId}"][data-status="succeeded"]`)
      .waitFor({ timeout: 30_000 });
    expect(receiver.received.length).toBeGreaterThan(before);
  });

  it('creates a key with scopes, shown once, and revokes it', async () => {
    await nav('API keys');
    await page.getByLabel('Name', { exact: true }).fill('reporting');
    await page.getByLabel('messages:read').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = (await page.getByTestId('new-key').locator('code').textContent())!;
    expect(shown).toMatch(/^wak_/);
    const withNewKey = new ApiClient(product.stack.apiUrl, shown);
    expect((await withNewKey.get(`/v1/sessions/${sessionId}/messages`)).status).toBe(200);
    expect((await withNewKey.get('/v1/webhooks')).status).toBe(403);
    await shoot('keys');

    const row = page.locator('[data-testid="key-row"]', { hasText: 'reporting' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Revoke' }).click(); // the confirmation
    await row.waitFor({ state: 'detached' });
    // Refused once the authorizer's verdict cache lets go of it (APP_AUTH_CACHE_MS, 1 s here; docs/security.md).
    await expect
      .poll(async () => (await withNewKey.get(`/v1/sessions/${sessionId}/messages`)).status, {
        timeout: 10_000,
      })
      .toBe(401);
  });

  it('shows the live event feed and the tenant with its limits and usage', async () => {
    await nav('Live events');
    await page.locator('[data-testid="event"][data-type="message.received"]').first().waitFor();
    await shoot('events');
    await nav('Tenant');
    const tenant = page.getByTestId('tenant');
    await tenant.waitFor();
    expect(await tenant.textContent()).toMatch(/2 of \d+/);
    await shoot('tenant');
  });

  it('makes a number pool of both sessions, shows their health, and sends through it to the member it names', async () => {
    const poolContact = '+15550007009';
    product.simulator!.addContact(digits(poolContact));
    await nav('Pools');
    await page.getByLabel('Pool name').fill('Both lines');
    await page.getByLabel(/Support line/).check();
    await page.getByLabel(/Sales line/).check();
    await page.getByRole('button', { name: 'Create pool' }).click();
    const members = page.getByTestId('pool-member');
    await expect.poll(() => members.count()).toBe(2);
    await expect
      .poll(() => members.allTextContents())
      .toEqual([expect.stringContaining('healthy'), expect.stringContaining('healthy')]);
    await page.getByLabel('To').fill(poolContact);
    await page.getByLabel('Message').fill('Hello from the pool');
    await page.getByRole('button', { name: 'Send through pool' }).click();
    const sent = page.getByTestId('pool-sent');
    await sent.waitFor();
    expect(await sent.textContent()).toMatch(/on (Support|Sales) line/);
    await eventually('the pool send on the contact’s phone', async () =>
      product.simulator!.inbox(digits(poolContact)).find((e) => e.text === 'Hello from the pool'),
    );
    await expect.poll(() => page.getByTestId('pool-totals').textContent()).toContain('1 sent, 1 contacts');
    await shoot('pools');
  });

  it('sends to the pool from the chats screen and the composer, naming the member and opening its chat', async () => {
    const sim = product.simulator!;
    const poolContact = '+15550007010';
    sim.addContact(digits(poolContact));
    await nav('Chats');
    await page.getByLabel('Session', { exact: true }).selectOption(sessionId);
    const start = page.getByTestId('new-message');
    await start.getByText('New message', { exact: true }).click();
    const form = page.getByRole('form', { name: 'New message' });
    await form.getByLabel('Send as').selectOption({ label: 'Pool: Both lines' });
    await form.getByLabel('To (E.164)').fill(poolContact);
    await form.getByLabel('Text').fill('Hello from the pool, new chat');
    await form.getByRole('button', { name: 'Start conversation' }).click();

    // The answer names the member; the console says which line sent it and opens that line's chat.
    const via = start.getByTestId('sent-via');
    await via.waitFor();
    expect(await via.textContent()).toMatch(/Sent through pool Both lines on (Support|Sales) line/);
    const member = (await via.getAttribute('data-session-id'))!;
    const memberAccount = member === sessionId ? ACCOUNT : SECOND_ACCOUNT;
    await expect.poll(() => page.getByLabel('Session', { exact: true }).inputValue()).toBe(member);
    const thread = page.getByTestId('thread');
    await thread.getByText('Hello from the pool, new chat').waitFor({ timeout: 20_000 });
    const first = await eventually('the pool’s new chat on the contact’s phone', async () =>
      sim.inbox(digits(poolContact)).find((e) => e.text === 'Hello from the pool, new chat'),
    );
    expect(first.from.split(/[:@]/)[0]).toBe(digits(memberAccount));

    // From the open thread's composer: the pool keeps the contact on its member, shown here (no link away).
    const composer = page.getByRole('form', { name: 'Write a message' });
    await composer.getByLabel('Send as').selectOption({ label: 'Pool: Both lines' });
    await page.getByLabel('Message', { exact: true }).fill('And again through the pool');
    await composer.getByRole('button', { name: 'Send', exact: true }).click();
    const composerVia = composer.getByTestId('sent-via');
    await composerVia.waitFor();
    expect(await composerVia.getAttribute('data-session-id')).toBe(member);
    expect(await composerVia.getByRole('link').count()).toBe(0);
    await thread.getByText('And again through the pool').waitFor({ timeout: 20_000 });
    const second = await eventually('the composer’s pool send on the contact’s phone', async () =>
      sim.inbox(digits(poolContact)).find((e) => e.text === 'And again through the pool'),
    );
    expect(second.from.split(/[:@]/)[0]).toBe(digits(memberAccount));
    expect(sim.inbox(digits(poolContact))).toHaveLength(2);
    await shoot('chats-send-as-pool');

    // The contact writes to the other line too: from that chat, the pool still sends on its member, and the note
    // links to the member's chat, which opens with its own composer (sending as the member again).
    const api = new ApiClient(product.stack.apiUrl, product.stack.tenantApiKey!);
    const lines = await api.get<{ items: { id: string }[] }>('/v1/sessions');
    const other = lines.body.items.map((s) => s.id).find((id) => id !== member)!;
    await sim.contactSend(
      digits(poolContact),
      digits(memberAccount === ACCOUNT ? SECOND_ACCOUNT : ACCOUNT),
      'Hi, other line',
    );
    await page.getByLabel('Session', { exact: true }).selectOption(other);
    const row = page.locator(`[data-testid="chat-row"][data-chat="${poolContact}"]`);
    await row.waitFor({ timeout: 20_000 });
    await row.getByRole('link').click();
    await thread.getByText('Hi, other line').waitFor();
    await composer.getByLabel('Send as').selectOption({ label: 'Pool: Both lines' });
    await page.getByLabel('Message', { exact: true }).fill('Still from your number');
    await composer.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => composer.getByTestId('sent-via').getAttribute('data-session-id')).toBe(member);
    await composer.getByTestId('sent-via').getByRole('link', { name: 'Open that chat' }).click();
    await expect.poll(() => page.getByLabel('Session', { exact: true }).inputValue()).toBe(member);
    await thread.getByText('Still from your number').waitFor({ timeout: 20_000 });
    expect(await composer.getByLabel('Send as').inputValue()).toBe(`session:${member}`);
    const third = await eventually('the send from the other line’s chat on the contact’s phone', async () =>
      sim.inbox(digits(poolContact)).find((e) => e.text === 'Still from your number'),
    );
    expect(third.from.split(/[:@]/)[0]).toBe(digits(memberAccount));
  });

  it('logs a session out, links it again under the same id, and deletes it, with confirmations', async () => {
    await nav('Sessions');
    const card = page.locator('[data-testid="session-card"]', { hasText: 'Sales line' });
    const salesId = (await card.getAttribute('data-session-id'))!;
    await card.getByRole('button', { name: 'Log out' }).click();
    await card
      .getByRole('group', { name: /Unlink Sales line/ })
      .getByRole('button', { name: 'Log out' })
      .click();
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 20_000 }).toBe('logged_out');
    // The phone no longer lists the device.
    await eventually('the device unlinked on the phone', async () =>
      (product.simulator!.getAccount(digits(SECOND_ACCOUNT))?.devices.length ?? 0) === 0 ? true : undefined,
    );

    // Linking it again starts the same session (same id, history and filters) and shows a new QR.
    await card.getByRole('button', { name: 'Link' }).click();
    await page.getByTestId('qr').waitFor({ timeout: 30_000 });
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 20_000 }).toBe('qr');
    await page.getByRole('button', { name: 'Close' }).click();

    await card.getByRole('button', { name: 'Delete' }).click();
    await card
      .getByRole('group', { name: /Delete Sales line/ })
      .getByRole('button', { name: 'Delete' })
      .click();
    await card.waitFor({ state: 'detached' });
    const api = new ApiClient(product.stack.apiUrl, product.stack.tenantApiKey!);
    expect((await api.get(`/v1/sessions/${salesId}`)).status).toBe(404);
  });

  it('signs out, forgetting the key', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/sign-in$/);
    expect(await page.evaluate(() => Object.values(sessionStorage).join())).not.toContain('wak_');
    expect(pageErrors).toEqual([]);
  });
});
