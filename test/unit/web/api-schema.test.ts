/**
 * The console's API types are generated from the OpenAPI document; this fails while the committed file lags
 * behind a route or schema change (run `npm run console:api`).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { consoleApiTypes } from '../../../web/scripts/api-types.js';

describe('console API types', () => {
  it('web/src/api/schema.d.ts is what the current OpenAPI document generates', async () => {
    const committed = await readFile(new URL('../../../web/src/api/schema.d.ts', import.meta.url), 'utf8');
    expect(committed === (await consoleApiTypes()), 'stale: run npm run console:api').toBe(true);
  });
});
