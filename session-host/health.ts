/**
 * `GET /health`: the host's liveness and load for the ECS health check and for people: host id, state
 * (`running`/`stopping`), capacity and sessions by status. 503 while stopping, so a load balancer or ECS sees
 * a draining task as unhealthy. Nothing else is served.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthReport {
  readonly hostId: string;
  readonly state: 'running' | 'stopping';
  readonly capacity: number;
  readonly sessions: { readonly total: number; readonly byStatus: Readonly<Record<string, number>> };
  readonly uptimeSeconds: number;
}

export interface HealthServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(port: number, report: () => HealthReport): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/health') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    const body = report();
    res
      .writeHead(body.state === 'running' ? 200 : 503, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
      })
      .end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/health`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
