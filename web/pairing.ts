/// <reference lib="dom" />
/**
 * The browser pairing page: pick or create a session, get a single-use ticket, open the WebSocket, draw each
 * `session.qr` frame as it rotates, and follow `session.status` until `connected` (or `qr_expired`, with a
 * "try again" that starts the same session again, so its id, history and webhook filters stay).
 *
 * In local mode the page is served by the local API gateway under `/console/`, so the API is same-origin; the
 * API URL, key and session can also come from the query string (`?key=wak_...&session=...`).
 */
import QRCode from 'qrcode';
import { WsServerFrameSchema, type WsServerFrame } from '../shared/contracts/ws-frames.js';
import { ApiError, PlatformApi, type SessionSummary } from './api-client.js';

const KEEPALIVE_MS = 5 * 60 * 1000;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`page is missing #${id}`);
  return found as T;
}

const ui = {
  apiUrl: element<HTMLInputElement>('api-url'),
  apiKey: element<HTMLInputElement>('api-key'),
  loadSessions: element<HTMLButtonElement>('load-sessions'),
  sessions: element<HTMLSelectElement>('session-select'),
  pair: element<HTMLButtonElement>('pair'),
  create: element<HTMLButtonElement>('create-session'),
  status: element<HTMLParagraphElement>('status'),
  qr: element<HTMLCanvasElement>('qr'),
  help: element<HTMLParagraphElement>('help'),
  connected: element<HTMLParagraphElement>('connected'),
  expired: element<HTMLDivElement>('expired'),
  tryAgain: element<HTMLButtonElement>('try-again'),
};

let socket: WebSocket | undefined;
/** The session the page follows (or last followed): "try again" starts this one again. */
let currentSessionId: string | undefined;
let keepalive: ReturnType<typeof setInterval> | undefined;
/** Highest QR refresh drawn, so a late frame never replaces a newer QR. */
let drawnRefresh = 0;
let finished = false;

function show(el: HTMLElement, visible: boolean): void {
  el.classList.toggle('hidden', !visible);
}

function setStatus(status: string, text: string): void {
  ui.status.dataset.status = status;
  ui.status.textContent = text;
}

function api(): PlatformApi {
  return new PlatformApi(ui.apiUrl.value || location.origin, ui.apiKey.value.trim());
}

function fail(error: unknown): void {
  const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  setStatus('error', `Error: ${message}`);
}

function closeSocket(): void {
  if (keepalive) clearInterval(keepalive);
  keepalive = undefined;
  const current = socket;
  socket = undefined;
  current?.close();
}

async function drawQr(qr: string, refresh: number): Promise<void> {
  if (finished || refresh < drawnRefresh) return;
  drawnRefresh = refresh;
  // Medium error correction and a quiet zone: what phone cameras read reliably off a screen.
  await QRCode.toCanvas(ui.qr, qr, { width: 264, margin: 2, errorCorrectionLevel: 'M' });
  ui.qr.dataset.refresh = String(refresh);
  show(ui.qr, true);
  show(ui.help, true);
  setStatus('qr', 'Scan this QR code with WhatsApp on your phone.');
}

function onStatus(status: string, phone: string | undefined, reason: string | undefined): void {
  switch (status) {
    case 'connected':
      finished = true;
      closeSocket();
      show(ui.qr, false);
      show(ui.help, false);
      show(ui.expired, false);
      ui.connected.textContent = phone ? `Linked to ${phone}.` : 'Linked.';
      show(ui.connected, true);
      setStatus('connected', 'Connected');
      return;
    case 'qr_expired':
    case 'logged_out':
    case 'failed':
      finished = true;
      closeSocket();
      show(ui.qr, false);
      show(ui.help, false);
      show(ui.expired, true);
      setStatus(status, reason ? `${status.replace('_', ' ')}: ${reason}` : status.replace('_', ' '));
      return;
    case 'qr':
      if (drawnRefresh === 0) setStatus('qr', 'Waiting for the QR code...');
      return;
    default:
      setStatus(status, `Status: ${status}${reason ? ` (${reason})` : ''}`);
  }
}

async function onFrame(frame: WsServerFrame): Promise<void> {
  if (frame.type === 'session.qr') await drawQr(frame.qr, frame.refresh);
  else if (frame.type === 'session.status') onStatus(frame.status, frame.phone, frame.reason);
}

async function startPairing(sessionId: string): Promise<void> {
  closeSocket();
  currentSessionId = sessionId;
  finished = false;
  drawnRefresh = 0;
  show(ui.expired, false);
  show(ui.connected, false);
  show(ui.qr, false);
  setStatus('starting', 'Starting...');
  const client = api();
  const ticket = await client.createTicket(sessionId);
  if (!ticket.url) throw new Error('the API did not return a WebSocket URL');
  const ws = new WebSocket(ticket.url);
  socket = ws;
  ws.addEventListener('message', (message) => {
    let data: unknown;
    try {
      data = JSON.parse(String(message.data));
    } catch {
      return;
    }
    const frame = WsServerFrameSchema.safeParse(data);
    if (frame.success) onFrame(frame.data).catch(fail);
  });
  ws.addEventListener('close', () => {
    if (socket === ws && !finished) {
      socket = undefined;
      setStatus('closed', 'The live connection closed.');
      show(ui.expired, true);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('the WebSocket could not be opened')), {
      once: true,
    });
  });
  keepalive = setInterval(() => ws.send(JSON.stringify({ action: 'ping' })), KEEPALIVE_MS);
  ui.status.dataset.socket = 'open';
  // Catch up with what happened before the socket opened.
  const session = await client.getSession(sessionId);
  onStatus(session.status, session.phone, undefined);
  if (!finished) {
    const qr = await client.currentQr(sessionId);
    if (qr) await drawQr(qr.qr, qr.refresh);
  }
}

function addSessionOption(session: SessionSummary, select: boolean): void {
  const option = document.createElement('option');
  option.value = session.id;
  option.textContent = `${session.name ?? session.id} (${session.status})`;
  ui.sessions.append(option);
  if (select) ui.sessions.value = session.id;
}

async function loadSessions(): Promise<void> {
  const sessions = await api().listSessions();
  ui.sessions.replaceChildren();
  for (const session of sessions) addSessionOption(session, false);
}

async function createAndPair(): Promise<void> {
  const session = await api().createSession(`console ${new Date().toISOString().slice(0, 16)}`);
  addSessionOption(session, true);
  await startPairing(session.id);
}

async function restartAndPair(): Promise<void> {
  const sessionId = currentSessionId ?? ui.sessions.value;
  if (!sessionId) return createAndPair();
  await api().startSession(sessionId);
  await startPairing(sessionId);
}

ui.loadSessions.addEventListener('click', () => void loadSessions().catch(fail));
ui.pair.addEventListener('click', () => {
  if (ui.sessions.value) void startPairing(ui.sessions.value).catch(fail);
});
ui.create.addEventListener('click', () => void createAndPair().catch(fail));
ui.tryAgain.addEventListener('click', () => void restartAndPair().catch(fail));

const params = new URLSearchParams(location.search);
ui.apiUrl.value = params.get('api') ?? location.origin;
ui.apiKey.value = params.get('key') ?? '';
const initialSession = params.get('session');
if (ui.apiKey.value) {
  void loadSessions()
    .then(() => {
      if (initialSession) {
        if (!Array.from(ui.sessions.options).some((o) => o.value === initialSession)) {
          addSessionOption({ id: initialSession, status: '?' }, true);
        }
        ui.sessions.value = initialSession;
        return startPairing(initialSession);
      }
      return undefined;
    })
    .catch(fail);
}
