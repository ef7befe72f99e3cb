/**
 * The product in one process for the contacts tests: the local cloud with the real HTTP gateway and handlers
 * (`startApi`), the WhatsApp simulator (unknown numbers are "not on WhatsApp", as on the real server) and session
 * hosts with real Baileys started in process. A tenant creates a session through the API and the simulated phone
 * scans the QR the host wrote.
 */
import { localClientOptions } from '../../../../local/local-aws.js';
import { composeHostAdapters, type HostAdapters } from '../../../../session-host/compose.js';
import { loadHostConfig } from '../../../../session-host/config.js';
import { createHostLogger } from '../../../../session-host/logger.js';
import {
  startSessionHost,
  type SessionHost,
  type SessionHostOptions,
} from '../../../../session-host/host.js';
import { WhatsAppSimulator } from '../../../../simulator/index.js';
import { startApi, type ApiHarness, type TenantHandle } from '../../functions/http/support.js';
import type { DomainEvent } from '../../../../shared/domain/events.js';
import { FAST_HOST_ENV, scanSessionQr, sessionNow, until } from '../support.js';

/** Host options whose event bus also records every event the host publishes into `published`. */
export function recordingEvents(published: DomainEvent[]): SessionHostOptions {
  return {
    decorateAdapters: (adapters) => ({
      ...adapters,
      eventBus: {
        publish: async (events) => {
          published.push(...events);
          await adapters.eventBus.publish(events);
        },
      },
    }),
  };
}

export interface ContactsWorld {
  readonly api: ApiHarness;
  readonly sim: WhatsAppSimulator;
  readonly adapters: HostAdapters;
  readonly tenant: TenantHandle;
  startHost(options?: SessionHostOptions): Promise<SessionHost>;
  /** Creates a session through the API and links it to `phone` by QR; resolves once it is connected. */
  linkSession(phone: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startContactsWorld(env: Readonly<Record<string, string>> = {}): Promise<ContactsWorld> {
  const api = await startApi({ env: { APP_HOST_REQUEST_WAIT_MS: '3000', ...env } });
  const sim = new WhatsAppSimulator({ autoCreateContacts: false });
  await sim.start({ port: 0 });
  const hostEnv = {
    ...api.cloud.env,
    ...FAST_HOST_ENV,
    APP_WA_URL: sim.wsUrl,
    APP_WA_ROOT_PUBLIC_KEY: sim.rootPublicKey,
  };
  const config = loadHostConfig(hostEnv);
  const clientOptions = localClientOptions(api.cloud.stack);
  const adapters = composeHostAdapters(config.app, createHostLogger({ level: 'silent' }), clientOptions);
  const tenant = await api.createTenant({ maxSessions: 10, requestsPerMinute: 10_000 });
  const hosts: SessionHost[] = [];
  return {
    api,
    sim,
    adapters,
    tenant,
    async startHost(options = {}) {
      // Each host its own id (and so its own queue and leases), as separate processes have.
      const host = await startSessionHost({
        config: loadHostConfig({ ...hostEnv, APP_HOST_ID: `h${hosts.length + 1}-${process.pid}` }),
        clientOptions,
        commandWaitSeconds: 1,
        ...options,
      });
      hosts.push(host);
      return host;
    },
    async linkSession(phone) {
      const created = await api.call<{ id: string }>('POST', '/v1/sessions', { key: tenant.key, body: {} });
      if (created.status !== 201) throw new Error(`session not created: ${created.status}`);
      const id = created.body.id;
      await scanSessionQr(sim, adapters, id, phone.replace(/^\+/, ''));
      await until(
        () => sessionNow(adapters, id),
        (s) => s.status === 'connected',
        'connected after the scan',
      );
      return id;
    },
    async stop() {
      await Promise.all(hosts.map((h) => h.stop()));
      adapters.destroy();
      await sim.stop();
      await api.stop();
    },
  };
}
