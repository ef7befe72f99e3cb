import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The Baileys patches (patches/, docs/whatsapp-compatibility.md) are written against one Baileys version. A
 * Baileys upgrade must fail here, so someone re-checks each drift and drops, rebases or keeps each patch; and a
 * patch that did not apply (an install without the postinstall step) must fail here too.
 */
const root = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const patchDir = join(root, 'patches');
const require = createRequire(import.meta.url);
const baileysDir = dirname(require.resolve('@whiskeysockets/baileys/package.json'));
const installed = (JSON.parse(readFileSync(join(baileysDir, 'package.json'), 'utf8')) as { version: string })
  .version;
const lib = (file: string): string => readFileSync(join(baileysDir, 'lib', file), 'utf8');

/** `@whiskeysockets+baileys+<version>+<seq>+<flow>.patch` */
const PATCH_NAME = /^@whiskeysockets\+baileys\+(.+)\+(\d{3})\+([a-z-]+)\.patch$/;
const patches = readdirSync(patchDir)
  .filter((f) => f.startsWith('@whiskeysockets+baileys+'))
  .map((f) => {
    const m = PATCH_NAME.exec(f);
    if (!m) throw new Error(`patch file not named version+sequence+flow: ${f}`);
    return { file: f, version: m[1], flow: m[3] };
  });

describe('Baileys patches', () => {
  it('target exactly the installed Baileys version, one patch per flow', () => {
    expect(patches.map((p) => p.flow)).toEqual(['lid-decrypt', 'status-ack']);
    for (const p of patches) expect(p.version, p.file).toBe(installed);
    expect(installed).toBe('7.0.0-rc14');
  });

  it('are applied to the installed files (the markers each patch adds are present)', () => {
    const decode = lib('Utils/decode-wa-message.js');
    expect(decode).toContain('export const alternateDecryptionJid');
    expect(decode).toContain('compat.decryptRetryAlternateAddress');
    expect(decode).toContain('transferDevice(author, alt)');
    expect(decode).toContain('repository.decryptMessageWithSessionOf(');
    expect(lib('Signal/libsignal.js')).toContain('async decryptMessageWithSessionOf(');
    const recv = lib('Socket/messages-recv.js');
    expect(recv).toContain('decryptRetryAlternateAddress: config.decryptRetryAlternateAddress === true');
    expect(recv).toContain('config.ackUndecryptableStatus === true && isJidStatusBroadcast');
    const types = lib('Types/Socket.d.ts');
    expect(types).toContain('decryptRetryAlternateAddress?: boolean;');
    expect(types).toContain('ackUndecryptableStatus?: boolean;');
  });
});
