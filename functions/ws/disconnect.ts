/**
 * `$disconnect`: forget the connection. API Gateway delivers this at most once and not always (it is best
 * effort), which is why the pusher also deletes connections it finds gone and items carry a TTL.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import type { WsConnectionRepository } from '../../shared/ports/ws-connection-repository.js';
import { wsConnectionRepository } from './runtime.js';

const DisconnectEventSchema = z.object({ requestContext: z.object({ connectionId: z.string().min(1) }) });

export function createDisconnectHandler(
  connections: () => WsConnectionRepository,
): (event: unknown) => Promise<APIGatewayProxyResultV2> {
  return async (raw) => {
    const event = DisconnectEventSchema.safeParse(raw);
    if (!event.success) return { statusCode: 400 };
    await connections().delete(event.data.requestContext.connectionId);
    return { statusCode: 200 };
  };
}

export const handler = createDisconnectHandler(wsConnectionRepository);
