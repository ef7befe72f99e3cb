/**
 * Keep-alive HTTP(S) agents for `fetchPublic`, one per (origin, checked address). The SSRF guard resolves and
 * vets the target on every request; the request then goes through the agent of the address that was just
 * checked, whose every socket was opened to that address (its lookup is pinned to it). So a kept-alive socket
 * can only carry a request whose own check admitted the address it is connected to: when the name starts to
 * resolve elsewhere, the new address gets (after passing the check) an agent of its own, and a refused address
 * never reaches an agent at all.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface PinnedAgentPoolOptions {
  /** Sockets per agent (the per-endpoint concurrency cap bounds it anyway). */
  readonly maxSocketsPerAgent?: number;
  /**
   * Idle sockets are closed after this long: under the 5 s keep-alive timeout of Node's own servers (and many
   * proxies), so we close first instead of writing to a socket the receiver is closing.
   */
  readonly idleMs?: number;
  /** Agents kept; the least recently used one is closed beyond it. */
  readonly maxAgents?: number;
}

export interface PinnedTarget {
  readonly url: URL;
  readonly address: string;
  readonly family: 4 | 6;
}

export class PinnedAgentPool {
  private readonly agents = new Map<string, http.Agent>();
  private readonly maxSockets: number;
  private readonly idleMs: number;
  private readonly maxAgents: number;

  constructor(options: PinnedAgentPoolOptions = {}) {
    this.maxSockets = options.maxSocketsPerAgent ?? 10;
    this.idleMs = options.idleMs ?? 4_000;
    this.maxAgents = options.maxAgents ?? 200;
  }

  /** The agent whose sockets all go to `target.address`; `target` must come from the SSRF check. */
  agentFor(target: PinnedTarget): http.Agent {
    const key = `${target.url.protocol}//${target.url.host}@${target.address}`;
    const found = this.agents.get(key);
    if (found) {
      // Map order is insertion order: re-inserting keeps the most recently used last.
      this.agents.delete(key);
      this.agents.set(key, found);
      return found;
    }
    const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
      if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    const options = {
      keepAlive: true,
      keepAliveMsecs: 1_000,
      maxSockets: this.maxSockets,
      maxFreeSockets: this.maxSockets,
      timeout: this.idleMs,
      lookup: pinned,
    };
    // TLS still verifies the certificate against the host name (servername), only the lookup is pinned.
    const agent = target.url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    this.agents.set(key, agent);
    while (this.agents.size > this.maxAgents) {
      const [oldestKey, oldest] = this.agents.entries().next().value ?? [];
      if (oldestKey === undefined || oldest === undefined) break;
      oldest.destroy();
      this.agents.delete(oldestKey);
    }
    return agent;
  }

  /** Number of agents (for tests: one per checked address). */
  get size(): number {
    return this.agents.size;
  }

  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
