import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../shared/config/app-config.js';
import { loadHostConfig } from '../../../../session-host/config.js';

const base = { APP_CREDENTIALS_BUCKET: 'creds', APP_MEDIA_BUCKET: 'media' };

describe('APP_WA_VERSION and APP_STREAM_ACK_RETRIES', () => {
  it("unset: Baileys' own version, five ack reconnects in a row", () => {
    const config = loadHostConfig(base);
    expect(config.waVersion).toBeUndefined();
    expect(config.streamAckMaxReconnects).toBe(5);
  });

  it('a WhatsApp Web client_revision becomes the [major, minor, patch] Baileys announces', () => {
    expect(loadHostConfig({ ...base, APP_WA_VERSION: '2.3000.1043857760' }).waVersion).toEqual([
      2, 3000, 1043857760,
    ]);
  });

  it('anything else fails at start, naming the variable', () => {
    for (const bad of ['2.3000', 'latest', '2.3000.1043857760.1', '']) {
      expect(() => loadHostConfig({ ...base, APP_WA_VERSION: bad }), bad).toThrow(ConfigError);
      expect(() => loadHostConfig({ ...base, APP_WA_VERSION: bad }), bad).toThrow(/APP_WA_VERSION/);
    }
  });
});
