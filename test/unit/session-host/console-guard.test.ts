import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import libsignal from 'libsignal';
import { consoleText, guardConsole } from '../../../session-host/console-guard.js';
import { createHostLogger } from '../../../session-host/logger.js';

describe('guardConsole', () => {
  it("keeps libsignal's session dumps (private keys) out of the output, and restores the console", () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const log = createHostLogger({ level: 'debug', destination });
    const privKey = randomBytes(32);
    const rootKey = randomBytes(32);
    // A real libsignal record, closed as libsignal does when a session is replaced: it console.info()s the entry.
    // (its type declarations omit closeSession, which libsignal calls internally)
    const record = new libsignal.SessionRecord() as unknown as { closeSession(entry: unknown): void };
    const entry = {
      indexInfo: { baseKey: randomBytes(33), closed: -1, used: Date.now() },
      currentRatchet: { rootKey, ephemeralKeyPair: { privKey, pubKey: randomBytes(33) } },
    };
    const original = console.info;
    const restore = guardConsole(log);
    try {
      record.closeSession(entry);
    } finally {
      restore();
    }
    expect(console.info).toBe(original);
    const text = chunks.join('');
    expect(text).toContain('Closing session:');
    expect(text).toContain('"objectsDropped":1');
    for (const key of [privKey, rootKey]) {
      expect(text).not.toContain(key.toString('base64'));
      expect(text).not.toContain(key.toString('hex'));
    }
  });

  it('keeps only the first line of the printed text, bounded', () => {
    expect(consoleText(['a', 1, { privKey: 'x' }, 'b\nsecond line'])).toEqual({ text: 'a 1 b', objects: 1 });
    expect(consoleText(['x'.repeat(500)]).text).toHaveLength(200);
  });
});
