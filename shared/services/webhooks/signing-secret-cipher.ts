/**
 * Webhook signing secrets at rest. The secret must be usable to sign (HMAC), so it cannot be hashed: it is
 * sealed with the app's envelope encryption (a fresh data key per secret, wrapped by KMS; docs/
 * credentials-and-commands.md) and bound to its subscription, so a sealed secret copied onto another tenant's
 * row does not open. Stored as `env1:` + base64 of the envelope. Plaintext secrets are never logged.
 */
import { EnvelopeCipher } from '../../crypto/envelope.js';
import type { DataKeyProvider } from '../../ports/data-key-provider.js';

const STORED_PREFIX = 'env1:';

export function secretIdentity(tenantId: string, webhookId: string): string {
  return `webhooks/${tenantId}/${webhookId}/signing-secret`;
}

export class WebhookSecretCipher {
  private readonly envelope: EnvelopeCipher;

  constructor(provider: DataKeyProvider) {
    this.envelope = new EnvelopeCipher(provider);
  }

  async seal(secret: string, tenantId: string, webhookId: string): Promise<string> {
    const sealed = await this.envelope.seal(Buffer.from(secret, 'utf8'), secretIdentity(tenantId, webhookId));
    return STORED_PREFIX + sealed.toString('base64');
  }

  async open(stored: string, tenantId: string, webhookId: string): Promise<string> {
    if (!stored.startsWith(STORED_PREFIX)) throw new Error('webhook signing secret is not in a known format');
    const blob = Buffer.from(stored.slice(STORED_PREFIX.length), 'base64');
    const plain = await this.envelope.open(blob, secretIdentity(tenantId, webhookId));
    try {
      return plain.toString('utf8');
    } finally {
      plain.fill(0);
    }
  }
}
