/**
 * `$default`: the only message a browser sends today is a keep-alive (`{"action":"ping"}`, answered
 * `{"type":"pong"}`; API Gateway drops connections idle for 10 minutes). Anything else gets an error frame.
 * The route is two-way (`returnResponse`), so the returned body is the frame sent back.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';

const MessageEventSchema = z.object({ body: z.string().optional() });
const PingSchema = z.object({ action: z.literal('ping') });

export async function handler(raw: unknown): Promise<APIGatewayProxyResultV2> {
  const body = MessageEventSchema.safeParse(raw).data?.body;
  if (body !== undefined && PingSchema.safeParse(parseJson(body)).success) {
    return { statusCode: 200, body: JSON.stringify({ type: 'pong' }) };
  }
  return {
    statusCode: 400,
    body: JSON.stringify({
      type: 'error',
      status: 400,
      title: 'Unsupported message',
      detail: 'The only message accepted is {"action":"ping"}.',
    }),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
