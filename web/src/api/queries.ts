/** Queries more than one screen reads, defined once so they share a cache entry and a shape. */
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../auth/console-session';
import { queryKeys } from '../live/query-keys';
import { unwrap } from './client';

/** The signed-in tenant with its limits and usage (top bar, Tenant screen). */
export function useTenantQuery() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.tenant(),
    queryFn: async () => unwrap(await api.GET('/v1/tenant')),
  });
}

/** The tenant's sessions, first 100 (Sessions screen, the session picker of Chats). */
export function useSessionsQuery() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.sessions(),
    queryFn: async () => unwrap(await api.GET('/v1/sessions', { params: { query: { limit: 100 } } })).items,
  });
}

/** The tenant's number pools, first 100 (Pools screen, "send as" in the composer). */
export function usePoolsQuery() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.pools(),
    queryFn: async () => unwrap(await api.GET('/v1/pools', { params: { query: { limit: 100 } } })).items,
  });
}
