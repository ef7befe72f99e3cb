/**
 * The session host as a process (the Fargate task's command; `local/product.ts` spawns it under tsx).
 * SIGTERM/SIGINT: graceful stop (sessions handed to live peers a few at a time: credentials flushed, sockets
 * closed without logging out, leases released, the peer rung to claim at once; handover.ts), then exit 0.
 * A second signal, or a stop that hangs past the ECS stop timeout's margin, exits at once.
 */
import { startSessionHost } from './host.js';

/** Under the ECS stop timeout (120 s, infra/constructs/session-hosts.ts), so the process exits on its own terms. */
const STOP_DEADLINE_MS = 100_000;

async function main(): Promise<void> {
  const host = await startSessionHost({ guardConsole: true });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(1);
    const deadline = setTimeout(() => process.exit(1), STOP_DEADLINE_MS);
    deadline.unref();
    host.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `${JSON.stringify({ level: 'error', message: 'stop failed', signal, error: String(error) })}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', message: 'session host did not start', error: error instanceof Error ? error.message : String(error) })}\n`,
  );
  process.exit(1);
});
