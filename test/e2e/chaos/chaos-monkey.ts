/**
 * The chaos of the chaos test: for a given time, steady random faults in every AWS service the product calls
 * (through `FaultProxy`), outages of one service at a time, and SIGKILLs of random session hosts. A killed host
 * is replaced by a new process (a new host id, as ECS starts a new task), and so is a host that exited on its
 * own. Everything it did is in `journal`, with the seed, so a failing run can be read and replayed.
 */
import type { RunningHost, RunningLocalProduct } from '../../../local/product.js';
import type { FaultProxy, FaultRates, FaultService } from '../../support/fault-proxy.js';

export interface ChaosPlan {
  /** Steady fault rates of each service while the chaos runs. */
  readonly rates: Readonly<Record<FaultService, FaultRates>>;
  /** Mean time between two chaos events (a kill or an outage), ms. */
  readonly eventEveryMs: number;
  /** Share of events that are a host kill (the rest are service outages). */
  readonly killShare: number;
  /** Longest outage of a service, ms. */
  readonly maxOutageMs: number;
  /** How long a killed host's replacement takes to start, at most, ms. */
  readonly maxRestartDelayMs: number;
}

export interface ChaosProxies {
  readonly dynamodb: FaultProxy;
  /** fauxqs: SQS and S3. */
  readonly fauxqs: FaultProxy;
  readonly eventbridge: FaultProxy;
}

const SERVICES: readonly FaultService[] = ['dynamodb', 'sqs', 's3', 'eventbridge'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ChaosMonkey {
  readonly journal: string[] = [];
  kills = 0;
  outages = 0;
  /** Hosts that exited without being killed (their replacement was started). */
  selfExits = 0;
  private readonly restarts = new Set<Promise<void>>();
  private readonly startedAt = Date.now();

  constructor(
    private readonly product: RunningLocalProduct,
    private readonly proxies: ChaosProxies,
    private readonly random: () => number,
    private readonly hosts: number,
  ) {}

  /** Runs the chaos for `ms`, then calms every service and leaves `hosts` hosts running. */
  async run(ms: number, plan: ChaosPlan): Promise<void> {
    for (const service of SERVICES) this.proxyOf(service).setRates(service, plan.rates[service]);
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await sleep(Math.max(0, Math.min(end - Date.now(), plan.eventEveryMs * (0.5 + this.random()))));
      this.replaceExited();
      if (Date.now() >= end) break;
      if (this.random() < plan.killShare) this.killOne(plan);
      else this.outage(plan);
    }
    for (const proxy of Object.values(this.proxies)) proxy.calm();
    this.note('calm: no more faults');
    await Promise.all([...this.restarts]);
    this.replaceExited();
  }

  /** Starts a replacement for every host process that is gone (as ECS keeps the desired task count). */
  replaceExited(): void {
    for (const host of [...this.product.hosts]) {
      if (host.process.exitCode === null && host.process.signalCode === null) continue;
      this.selfExits++;
      this.note(`host ${host.hostId} exited on its own (${host.process.exitCode}); replaced`);
      void this.product.stopHost(host);
    }
    const missing = this.hosts - this.product.hosts.length - this.restarts.size;
    for (let i = 0; i < missing; i++) this.note(`started ${this.product.startHost().hostId}`);
  }

  private killOne(plan: ChaosPlan): void {
    const live = this.product.hosts.filter(
      (h) => h.process.exitCode === null && h.process.signalCode === null,
    );
    if (live.length < 2) return; // Keep one host alive: the test is about failover, not an empty fleet.
    const victim = live[Math.floor(this.random() * live.length)]!;
    const delay = Math.floor(this.random() * plan.maxRestartDelayMs);
    this.kills++;
    this.note(`SIGKILL ${victim.hostId}, replacement in ${delay} ms`);
    const restart = this.restartAfter(victim, delay);
    this.restarts.add(restart);
    void restart.finally(() => this.restarts.delete(restart));
  }

  private async restartAfter(victim: RunningHost, delay: number): Promise<void> {
    await this.product.stopHost(victim, 'SIGKILL');
    await sleep(delay);
    this.note(`started ${this.product.startHost().hostId}`);
  }

  private outage(plan: ChaosPlan): void {
    // In turn, so a short run still takes every service down once.
    const service = SERVICES[this.outages % SERVICES.length]!;
    const ms = Math.floor(500 + this.random() * (plan.maxOutageMs - 500));
    this.outages++;
    this.note(`${service} down for ${ms} ms`);
    this.proxyOf(service).outage(service, ms);
  }

  private proxyOf(service: FaultService): FaultProxy {
    if (service === 'dynamodb') return this.proxies.dynamodb;
    if (service === 'eventbridge') return this.proxies.eventbridge;
    return this.proxies.fauxqs;
  }

  private note(what: string): void {
    this.journal.push(`+${((Date.now() - this.startedAt) / 1000).toFixed(1)}s ${what}`);
  }
}
