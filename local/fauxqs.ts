/** fauxqs: SQS and S3 in process (in memory), on a loopback port. */
import { startFauxqs } from 'fauxqs';

export interface RunningFauxqs {
  /** One endpoint for both SQS and S3 (S3 path-style). */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startFauxqsServer(options: { port?: number } = {}): Promise<RunningFauxqs> {
  const server = await startFauxqs({ port: options.port ?? 0, logger: false });
  return { endpoint: server.address, stop: () => server.stop() };
}
