/**
 * The host side: one session host process (`startSessionHost`, the same code `session-host/main.ts` runs),
 * configured by the environment the parent passes (local cloud + simulator + timings). It answers memory and
 * status requests; the parent seeds sessions and watches DynamoDB and the simulator.
 */
import { startSessionHost } from '../../session-host/host.js';
import { measureCpu, measureMemory, reply, serveParent } from '../support/ipc.js';

const host = await startSessionHost({ env: process.env, commandWaitSeconds: 1 });

const connected = (): number => [...host.sessions().values()].filter((s) => s === 'connected').length;

serveParent(async (message) => {
  switch (message.type) {
    case 'measure':
      reply({ type: 'memory', memory: measureMemory(), sessions: connected() });
      return;
    case 'status':
      reply({ type: 'sessions', connected: connected(), total: host.sessions().size });
      return;
    case 'cpu':
      reply(measureCpu());
      return;
    case 'exit':
      await host.stop();
      process.exit(0);
      return;
    default:
      throw new Error(`the host child does not handle ${message.type}`);
  }
});

reply({ type: 'ready', memory: measureMemory(), hostId: host.hostId });
