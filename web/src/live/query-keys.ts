/** Cache keys of the console's queries, in one place so live events invalidate exactly what they change. */
export const queryKeys = {
  tenant: () => ['tenant'] as const,
  sessions: () => ['sessions'] as const,
  chats: (sessionId: string) => ['chats', sessionId] as const,
  messages: (sessionId: string, chat?: string) =>
    (chat === undefined ? ['messages', sessionId] : ['messages', sessionId, chat]) as readonly string[],
  webhooks: () => ['webhooks'] as const,
  deliveries: (webhookId: string) => ['deliveries', webhookId] as const,
  apiKeys: () => ['api-keys'] as const,
  pools: () => ['pools'] as const,
  pool: (poolId: string) => ['pools', poolId] as const,
  media: (mediaId: string) => ['media', mediaId] as const,
};
