/**
 * The session host's adapters over a running local cloud, quiet: what a test reads and seeds with directly (the
 * sessions' owners and statuses, stored credentials), as a host of that cloud would see them, past any fault proxy.
 */
import type { RunningLocalCloud } from '../../local/cloud.js';
import { localClientOptions } from '../../local/local-aws.js';
import { composeHostAdapters, type HostAdapters } from '../../session-host/compose.js';
import { loadHostConfig } from '../../session-host/config.js';
import { createHostLogger } from '../../session-host/logger.js';

export function cloudAdapters(cloud: Pick<RunningLocalCloud, 'env' | 'stack'>): HostAdapters {
  return composeHostAdapters(
    loadHostConfig(cloud.env).app,
    createHostLogger({ level: 'silent' }),
    localClientOptions(cloud.stack),
  );
}
