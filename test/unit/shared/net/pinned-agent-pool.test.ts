/**
 * Keep-alive under the SSRF guard, against a real HTTP server: requests reuse a connection, yet every request is
 * still checked, a kept-alive connection never carries a request the check refuses, and each checked address
 * gets its own agent (a connection is only ever reused for the address it was opened to).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PinnedAgentPool } from '../../../../shared/net/pinned-agent-pool.js';
import { fetchPublic, UnsafeUrlError } from '../../../../shared/net/public-url.js';

describe('fetchPublic with a PinnedAgentPool', () => {
  let server: Server;
  let port: number;
  const connections = new Set<Socket>();
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    server.on('connection', (socket: Socket) => connections.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  const local = { allowHttp: true, allowLoopback: true, maxBytes: 1024, timeoutMs: 5000 } as const;

  it('reuses one connection per checked address and still refuses what the check refuses', async () => {
    const agents = new PinnedAgentPool();
    try {
      const url = `http://localhost:${port}/hook`;
      for (let i = 0; i < 3; i++) {
        expect((await fetchPublic(url, { ...local, method: 'POST', body: 'x', agents })).status).toBe(204);
      }
      expect(connections.size).toBe(1);
      expect(requests).toBe(3);

      // The idle kept-alive socket to 127.0.0.1 is there, but the check runs first and refuses loopback.
      await expect(fetchPublic(url, { ...local, allowLoopback: false, agents })).rejects.toBeInstanceOf(
        UnsafeUrlError,
      );
      expect(requests).toBe(3);

      // Another address is another agent: its connection is opened to that address, never borrowed.
      expect((await fetchPublic(`http://127.0.0.1:${port}/hook`, { ...local, agents })).status).toBe(204);
      expect(agents.size).toBe(2);
      expect(connections.size).toBe(2);
    } finally {
      agents.destroy();
    }
  });

  it('a request after the receiver closed the idle kept-alive connection still goes through', async () => {
    const agents = new PinnedAgentPool();
    try {
      const url = `http://127.0.0.1:${port}/hook`;
      await fetchPublic(url, { ...local, agents });
      // The receiver drops its idle connections (a server past its keep-alive timeout). Whether the agent has
      // noticed (fresh connection) or not (the reused socket resets: one retry on a new one), it must succeed.
      server.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const before = requests;
      expect((await fetchPublic(url, { ...local, method: 'POST', body: 'y', agents })).status).toBe(204);
      expect(requests).toBe(before + 1);
    } finally {
      agents.destroy();
    }
  });
});
