/**
 * Which `DataKeyProvider` a process uses: AWS KMS when `APP_KMS_KEY_ID` is set (AWS, and the local cloud's KMS
 * stand-in); otherwise the local master key (`APP_LOCAL_MASTER_KEY`), which is refused outside local mode.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { ConfigError, type AppConfig } from '../config/app-config.js';
import type { DataKeyProvider } from '../ports/data-key-provider.js';
import { KmsDataKeyProvider } from './aws/kms-data-key-provider.js';
import { LocalDataKeyProvider } from './local/local-data-key-provider.js';

export function selectDataKeyProvider(
  config: Pick<AppConfig, 'APP_KMS_KEY_ID' | 'APP_LOCAL_MODE' | 'APP_LOCAL_MASTER_KEY'>,
  kms: KMSClient,
): DataKeyProvider {
  if (config.APP_KMS_KEY_ID) return new KmsDataKeyProvider(kms, config.APP_KMS_KEY_ID);
  if (!config.APP_LOCAL_MODE) {
    throw new ConfigError(
      'APP_KMS_KEY_ID is required outside local mode (APP_LOCAL_MASTER_KEY is local only)',
    );
  }
  return LocalDataKeyProvider.fromBase64(config.APP_LOCAL_MASTER_KEY);
}
