/**
 * Faults of AWS services on demand, for chaos tests: an HTTP proxy in front of one local emulator (DynamoDB
 * Local, fauxqs, the local EventBridge) that forwards each request, or answers it with the error AWS gives under
 * trouble. Product processes are pointed at the proxy (`AWS_ENDPOINT_URL_*`), the test's own readers at the
 * emulator, so only the product meets the faults. Nothing in the product knows about it.
 *
 * Two kinds of fault, as AWS has them:
 * - `before`: refused before the service did anything (DynamoDB `ThrottlingException` 400 or
 *   `InternalServerError` 500, SQS and EventBridge 500/503, S3 `SlowDown` 503 or `InternalError` 500, or the
 *   connection reset);
 * - `after`: the service did the work, then the answer is lost (500, or the connection reset), as DynamoDB
 *   documents for a 500 ("the operation may or may not have succeeded"): the client's retry meets its own write.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The AWS services a proxy tells apart (fauxqs serves SQS and S3 on one port). */
export type FaultService = 'dynamodb' | 'sqs' | 's3' | 'eventbridge';

export interface FaultRates {
  /** Probability that a request is refused before it reaches the service. */
  readonly before: number;
  /** Probability that a request is done by the service and its answer lost. */
  readonly after: number;
}

export interface FaultCounts {
  forwarded: number;
  before: number;
  after: number;
}

interface ErrorAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const json = (status: number, type: string, message: string): ErrorAnswer => ({
  status,
  contentType: 'application/x-amz-json-1.0',
  body: JSON.stringify({ __type: type, message }),
});
const xml = (status: number, code: string, message: string): ErrorAnswer => ({
  status,
  contentType: 'application/xml',
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
});

/** What each service answers when it refuses a request (picked at random among them). */
const REFUSALS: Readonly<Record<FaultService, readonly ErrorAnswer[]>> = {
  dynamodb: [
    json(
      400,
      'com.amazonaws.dynamodb.v20120810#ThrottlingException',
      'Rate of requests exceeds the allowed throughput.',
    ),
    json(
      400,
      'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      'Throughput exceeded',
    ),
    json(500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error'),
  ],
  sqs: [
    json(500, 'com.amazonaws.sqs#InternalError', 'internal error'),
    json(503, 'ServiceUnavailable', 'unavailable'),
  ],
  s3: [
    xml(503, 'SlowDown', 'Please reduce your request rate.'),
    xml(500, 'InternalError', 'We encountered an internal error.'),
  ],
  eventbridge: [
    json(500, 'InternalException', 'internal error'),
    json(503, 'ServiceUnavailable', 'unavailable'),
  ],
};
/** An answer lost after the work was done: a 5xx (the client cannot tell it from a refusal). */
const LOST: Readonly<Record<FaultService, ErrorAnswer>> = {
  dynamodb: json(500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error'),
  sqs: json(500, 'com.amazonaws.sqs#InternalError', 'internal error'),
  s3: xml(500, 'InternalError', 'We encountered an internal error.'),
  eventbridge: json(500, 'InternalException', 'internal error'),
};

const NONE: FaultRates = { before: 0, after: 0 };

export class FaultProxy {
  private server: Server | undefined;
  private readonly rates = new Map<FaultService, FaultRates>();
  /** Outages: until when each service refuses everything. */
  private readonly downUntil = new Map<FaultService, number>();
  readonly counts: Record<FaultService, FaultCounts> = {
    dynamodb: { forwarded: 0, before: 0, after: 0 },
    sqs: { forwarded: 0, before: 0, after: 0 },
    s3: { forwarded: 0, before: 0, after: 0 },
    eventbridge: { forwarded: 0, before: 0, after: 0 },
  };

  /**
   * @param target the emulator's endpoint (`http://127.0.0.1:<port>`)
   * @param serviceOf which service a request is for (by its `x-amz-target` header: fauxqs serves SQS and S3)
   * @param random the chaos' random source (seeded by the test, so a run can be replayed)
   */
  constructor(
    private readonly target: string,
    private readonly serviceOf: (req: IncomingMessage) => FaultService,
    private readonly random: () => number,
  ) {}

  /** Listens on `port` (0: any); resolves with the proxy's endpoint. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Steady random faults for a service (both rates 0: none). */
  setRates(service: FaultService, rates: FaultRates): void {
    this.rates.set(service, rates);
  }

  /** Every request to the service refused for `ms`. */
  outage(service: FaultService, ms: number): void {
    this.downUntil.set(service, Date.now() + ms);
  }

  /** No faults from now on. */
  calm(): void {
    this.rates.clear();
    this.downUntil.clear();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const service = this.serviceOf(req);
    const body = await readAll(req);
    const rates = this.rates.get(service) ?? NONE;
    const down = (this.downUntil.get(service) ?? 0) > Date.now();
    if (down || this.random() < rates.before) {
      this.counts[service].before++;
      this.refuse(res, service);
      return;
    }
    let answer: { status: number; headers: IncomingMessage['headers']; body: Buffer };
    try {
      answer = await this.forward(req, body);
    } catch {
      res.socket?.destroy();
      return;
    }
    if (this.random() < rates.after) {
      this.counts[service].after++;
      if (this.random() < 0.5) res.socket?.destroy();
      else this.answer(res, LOST[service]);
      return;
    }
    this.counts[service].forwarded++;
    res.writeHead(answer.status, answer.headers).end(answer.body);
  }

  private refuse(res: ServerResponse, service: FaultService): void {
    // One refusal in ten is a reset connection rather than an error answer (a network fault, not the service's).
    if (this.random() < 0.1) {
      res.socket?.destroy();
      return;
    }
    const answers = REFUSALS[service];
    this.answer(res, answers[Math.floor(this.random() * answers.length)]!);
  }

  private answer(res: ServerResponse, answer: ErrorAnswer): void {
    res
      .writeHead(answer.status, {
        'content-type': answer.contentType,
        'content-length': Buffer.byteLength(answer.body),
        'x-amzn-requestid': 'fault-proxy',
      })
      .end(answer.body);
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    const url = new URL(req.url ?? '/', this.target);
    return new Promise((resolve, reject) => {
      const out = request(
        url,
        { method: req.method, headers: { ...req.headers, host: url.host } },
        (answer) => {
          readAll(answer).then((bytes) => {
            const headers = { ...answer.headers };
            // Re-framed with a length: the body was read whole.
            delete headers['transfer-encoding'];
            headers['content-length'] = String(bytes.length);
            resolve({ status: answer.statusCode ?? 502, headers, body: bytes });
          }, reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** fauxqs serves SQS (JSON protocol: an `x-amz-target: AmazonSQS.*` header) and S3 (REST) on one port. */
export const sqsOrS3 = (req: IncomingMessage): FaultService =>
  String(req.headers['x-amz-target'] ?? '').startsWith('AmazonSQS.') ? 'sqs' : 's3';

/** A seeded random source (mulberry32), so a chaos run's fault schedule can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
