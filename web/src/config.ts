/**
 * Where the API is. The console is static files, so this is read at run time from `config.json` beside
 * `index.html`: written by the CDK deployment on AWS (the HTTP API's URL), served by the local gateway locally
 * (the gateway's own origin).
 */
import { z } from 'zod';

const ConsoleConfigSchema = z.object({ apiUrl: z.url() });
export type ConsoleConfig = z.infer<typeof ConsoleConfigSchema>;

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  return ConsoleConfigSchema.parse(await response.json());
}
