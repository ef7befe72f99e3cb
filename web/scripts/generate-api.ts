/**
 * Writes `web/src/api/schema.d.ts`, the console's API types, from the OpenAPI document the API itself serves
 * (built from the route list and the zod schemas): the console never hand-writes a response type.
 * `npm run console:api` after changing a route; `test/unit/web/api-schema.test.ts` fails while it is stale.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { consoleApiTypes } from './api-types.js';

const target = fileURLToPath(new URL('../src/api/schema.d.ts', import.meta.url));
await writeFile(target, await consoleApiTypes());
console.log(`wrote ${target}`);
