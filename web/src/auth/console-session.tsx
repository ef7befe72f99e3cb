/**
 * Who is signed in: the API key (sessionStorage only), the typed client built with it, and the tenant it
 * belongs to. Signing in checks the key against `GET /v1/tenant` before keeping it; signing out forgets it
 * and every cached answer.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiError, createApiClient, unwrap, type ApiClient } from '../api/client';
import type { ConsoleConfig } from '../config';
import { apiKeyStore } from './api-key-store';

interface ConsoleSession {
  readonly config: ConsoleConfig;
  readonly apiKey: string | null;
  readonly api: ApiClient | null;
  signIn(key: string): Promise<void>;
  signOut(): void;
}

const ConsoleSessionContext = createContext<ConsoleSession | null>(null);

export function ConsoleSessionProvider(props: { config: ConsoleConfig; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [apiKey, setApiKey] = useState<string | null>(() => apiKeyStore.read());
  const api = useMemo(
    () => (apiKey ? createApiClient(props.config.apiUrl, apiKey) : null),
    [apiKey, props.config.apiUrl],
  );

  const signIn = useCallback(
    async (key: string) => {
      const candidate = createApiClient(props.config.apiUrl, key);
      const result = await candidate.GET('/v1/tenant');
      if (result.response.status === 401) {
        throw new ApiError(
          401,
          'This API key is not valid: check it was copied whole and has not been revoked.',
        );
      }
      unwrap(result);
      apiKeyStore.write(key);
      queryClient.clear();
      setApiKey(key);
    },
    [props.config.apiUrl, queryClient],
  );

  const signOut = useCallback(() => {
    apiKeyStore.clear();
    queryClient.clear();
    setApiKey(null);
  }, [queryClient]);

  const value = useMemo(
    () => ({ config: props.config, apiKey, api, signIn, signOut }),
    [props.config, apiKey, api, signIn, signOut],
  );
  return <ConsoleSessionContext.Provider value={value}>{props.children}</ConsoleSessionContext.Provider>;
}

export function useConsoleSession(): ConsoleSession {
  const session = useContext(ConsoleSessionContext);
  if (!session) throw new Error('useConsoleSession outside ConsoleSessionProvider');
  return session;
}

/** The signed-in client; screens under the signed-in layout only. */
export function useApi(): ApiClient {
  const { api } = useConsoleSession();
  if (!api) throw new Error('not signed in');
  return api;
}
