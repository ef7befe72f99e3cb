/**
 * A host config for tests of the lease keeper alone (claim and renewal rounds against DynamoDB Local): only the
 * keeper's knobs matter; the AWS part is a placeholder the keeper never uses.
 */
import { newId } from '../../../shared/domain/ids.js';
import { loadHostConfig, type HostConfig } from '../../../session-host/config.js';

export function keeperConfig(prefix: string, extra: Readonly<Record<string, string>> = {}): HostConfig {
  return loadHostConfig({
    AWS_REGION: 'us-east-1',
    APP_RESOURCE_PREFIX: prefix,
    APP_CREDENTIALS_BUCKET: `${prefix}credentials`,
    APP_MEDIA_BUCKET: `${prefix}media`,
    APP_LOCAL_MODE: 'true',
    APP_LOCAL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    APP_METRICS: 'false',
    APP_HOST_ID: `keeper-${newId()}`,
    ...extra,
  });
}
