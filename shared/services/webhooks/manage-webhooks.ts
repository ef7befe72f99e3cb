/**
 * Webhook subscriptions for `POST/GET/PATCH/DELETE /v1/webhooks[/{webhookId}]`. The target URL is vetted when
 * it is given (create, or a PATCH of `url`) and again at every delivery, because DNS can change in between.
 * The signing secret is generated here, returned once, and stored sealed (`WebhookSecretCipher`).
 */
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { newId, nowIso } from '../../domain/ids.js';
import {
  generateWebhookSecret,
  type CreateWebhookRequest,
  type PatchWebhookRequest,
  type WebhookSubscription,
} from '../../domain/webhook.js';
import { resolvePublicUrl } from '../../net/public-url.js';
import type { Page, PageRequest } from '../../ports/pagination.js';
import type { SessionRepository } from '../../ports/session-repository.js';
import type { WebhookHealthStore } from '../../ports/webhook-health-store.js';
import type { WebhookRepository } from '../../ports/webhook-repository.js';
import type { WebhookSecretCipher } from './signing-secret-cipher.js';

export interface ManageWebhooksDeps {
  readonly webhooks: WebhookRepository;
  readonly health: Pick<WebhookHealthStore, 'reset'>;
  readonly secrets: Pick<WebhookSecretCipher, 'seal'>;
  /** To check that a session filter names only the tenant's own sessions. */
  readonly sessions: Pick<SessionRepository, 'get'>;
  /** Local mode: loopback and plain http targets are allowed (the local stack's receivers). */
  readonly localMode: boolean;
}

/** What the API shows: the tenant is implicit. */
export type WebhookView = Omit<WebhookSubscription, 'tenantId'>;

export interface CreatedWebhook extends WebhookView {
  /** `whsec_...`, shown once. */
  readonly secret: string;
}

export function toWebhookView(subscription: WebhookSubscription): WebhookView {
  const { tenantId: _tenantId, ...view } = subscription;
  return view;
}

/** 400 naming `url` when the target is not https (outside local mode) or resolves to a non-public address. */
export async function vetWebhookUrl(url: string, localMode: boolean): Promise<void> {
  await resolvePublicUrl(url, { allowLoopback: localMode, allowHttp: localMode, field: 'url' });
}

/**
 * 400 naming each session id of a filter that is not one of the tenant's sessions (another tenant's session
 * reads as missing). No event would cross tenants anyway; the refusal keeps a typo or a foreign id from
 * silently filtering out everything.
 */
async function vetSessionFilter(
  sessions: Pick<SessionRepository, 'get'>,
  tenantId: string,
  sessionIds: readonly string[] | null | undefined,
): Promise<void> {
  if (!sessionIds) return;
  const found = await Promise.all(sessionIds.map((id) => sessions.get(tenantId, id)));
  const errors = sessionIds.flatMap((id, index) =>
    found[index] === null
      ? [
          {
            location: 'body' as const,
            pointer: `/sessionIds/${index}`,
            message: `session ${id} is not one of this tenant's sessions`,
          },
        ]
      : [],
  );
  if (errors.length > 0) throw new ValidationError(errors);
}

export async function createWebhook(
  deps: ManageWebhooksDeps,
  tenantId: string,
  request: CreateWebhookRequest,
): Promise<CreatedWebhook> {
  await vetWebhookUrl(request.url, deps.localMode);
  await vetSessionFilter(deps.sessions, tenantId, request.sessionIds);
  const id = newId();
  const { secret, secretPrefix } = generateWebhookSecret();
  const subscription: WebhookSubscription = {
    id,
    tenantId,
    url: request.url,
    ...(request.description === undefined ? {} : { description: request.description }),
    events: request.events,
    ...(request.sessionIds === undefined ? {} : { sessionIds: request.sessionIds }),
    enabled: request.enabled,
    secretPrefix,
    createdAt: nowIso(),
  };
  const stored = await deps.webhooks.create(subscription, await deps.secrets.seal(secret, tenantId, id));
  return { ...toWebhookView(stored), secret };
}

export async function getWebhook(
  deps: Pick<ManageWebhooksDeps, 'webhooks'>,
  tenantId: string,
  webhookId: string,
): Promise<WebhookView> {
  const subscription = await deps.webhooks.get(tenantId, webhookId);
  if (!subscription) throw new NotFoundError(`webhook ${webhookId} not found`);
  return toWebhookView(subscription);
}

export async function listWebhooks(
  deps: Pick<ManageWebhooksDeps, 'webhooks'>,
  tenantId: string,
  page: PageRequest,
): Promise<Page<WebhookView>> {
  const result = await deps.webhooks.list(tenantId, page);
  return { ...result, items: result.items.map(toWebhookView) };
}

export async function updateWebhook(
  deps: ManageWebhooksDeps,
  tenantId: string,
  webhookId: string,
  patch: PatchWebhookRequest,
): Promise<WebhookView> {
  if (patch.url !== undefined) await vetWebhookUrl(patch.url, deps.localMode);
  await vetSessionFilter(deps.sessions, tenantId, patch.sessionIds);
  // Re-enabling starts with a clean slate, or the next failure would disable the endpoint again at once. Reset
  // first, so the answer (the item after the update) no longer shows the old streak or disable reason.
  if (patch.enabled === true) await deps.health.reset(tenantId, webhookId);
  const updated = await deps.webhooks.update(tenantId, webhookId, { ...patch, updatedAt: nowIso() });
  return toWebhookView(updated);
}

export async function deleteWebhook(
  deps: Pick<ManageWebhooksDeps, 'webhooks'>,
  tenantId: string,
  webhookId: string,
): Promise<void> {
  await deps.webhooks.delete(tenantId, webhookId);
}
