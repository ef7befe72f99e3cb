/**
 * Group cases of the benchmarks (issue #16): groups of simulated contacts (each a phone with its own Signal
 * identity, device 0) that benchmark accounts belong to, and what the simulator sees of them: when every member
 * device decrypted an account's group message, the bytes a sender wrote per group message, and the receipts an
 * account's device sends for contacts' posts (so a density run knows its sessions hold the sender keys).
 */
import { encodeBinaryNode } from '@whiskeysockets/baileys';
import type { proto } from '@whiskeysockets/baileys';
import type { StanzaEvent, WhatsAppSimulator } from '../../simulator/index.js';
import { progress } from './figures.js';

/** Contacts of group `g` of run `run`: `18<run><g><i>`, so runs and groups never share a number. */
const contactPhone = (run: number, g: number, i: number): string =>
  `18${String(run).padStart(2, '0')}${String(g).padStart(3, '0')}${String(i).padStart(4, '0')}`;

export interface BenchGroup {
  readonly jid: string;
  /** The contacts in it, creator first. */
  readonly contacts: readonly string[];
}

/**
 * A group of `size` members: `accounts` (benchmark accounts, by phone) and contacts filling the rest, the first of
 * which creates it (a contact-created group, as most groups an API account is in are).
 */
export function createBenchGroup(
  sim: WhatsAppSimulator,
  run: number,
  g: number,
  accounts: readonly string[],
  size: number,
): BenchGroup {
  const count = size - accounts.length;
  if (count < 1) throw new Error(`a group of ${size} cannot hold ${accounts.length} accounts and a creator`);
  const contacts = Array.from({ length: count }, (_, i) => contactPhone(run, g, i));
  for (const phone of contacts) sim.addContact(phone, `Member ${phone.slice(-4)}`);
  const [creator, ...others] = contacts;
  const view = sim.groups.create(creator ?? '', `Bench ${run}/${g}`, [...others, ...accounts]);
  return { jid: view.jid, contacts };
}

const textOf = (m: proto.IMessage | undefined): string | undefined =>
  m?.conversation ?? m?.extendedTextMessage?.text ?? undefined;

/**
 * Resolves with arrival times (ms epoch) per text once `devices` simulated devices (every contact's phone and the
 * sender's own phone) decrypted each text sent to group `jid`. A device that cannot decrypt fails the run: a
 * figure over undelivered messages would flatter the side that lost them.
 */
export function groupArrivals(
  sim: WhatsAppSimulator,
  jid: string,
  texts: readonly string[],
  devices: number,
): Promise<Map<string, number>> {
  const wanted = new Set(texts);
  const decrypted = new Map<string, Set<string>>();
  const done = new Map<string, number>();
  return new Promise((resolve, reject) => {
    const listener = (e: { group: string; device: string; error?: string; message?: proto.IMessage }) => {
      if (e.group !== jid) return;
      if (e.error) {
        sim.events.off('group-message', listener);
        reject(new Error(`${e.device} could not decrypt a group message: ${e.error}`));
        return;
      }
      const text = textOf(e.message);
      if (text === undefined || !wanted.has(text)) return;
      const by = decrypted.get(text) ?? new Set<string>();
      by.add(e.device);
      decrypted.set(text, by);
      if (by.size >= devices && !done.has(text)) done.set(text, Date.now());
      if (done.size === wanted.size) {
        sim.events.off('group-message', listener);
        resolve(done);
      }
    };
    sim.events.on('group-message', listener);
  });
}

/**
 * Bytes of the `<message>` stanzas account `phone`'s devices write (encoded binary nodes, before the Noise frame):
 * the skmsg plus, on a first send, the sender key's 1:1 copies for every member device.
 */
export class SentBytes {
  readonly perMessage: number[] = [];
  readonly #listener = (e: StanzaEvent): void => {
    if (e.direction !== 'in' || e.phone !== this.phone || e.node.tag !== 'message') return;
    if (!e.node.attrs.to?.endsWith('@g.us')) return;
    this.perMessage.push(encodeBinaryNode(e.node).length);
  };

  constructor(
    private readonly sim: WhatsAppSimulator,
    private readonly phone: string,
  ) {
    sim.events.on('stanza', this.#listener);
  }

  stop(): { firstSendBytes: number; bytesPerSend: number; bytesPerLaterSend: number } {
    this.sim.events.off('stanza', this.#listener);
    const [first = 0, ...later] = this.perMessage;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return {
      firstSendBytes: first,
      bytesPerSend: Math.round(sum(this.perMessage) / Math.max(1, this.perMessage.length)),
      bytesPerLaterSend: Math.round(sum(later) / Math.max(1, later.length)),
    };
  }
}

/**
 * Counts the receipts benchmark accounts' devices send for group messages (`<receipt to="…@g.us">`, one id each
 * or a `<list>` of more), so a run can wait until its sessions processed every post (and so hold its sender key).
 */
export class GroupReceipts {
  count = 0;
  readonly #listener = (e: StanzaEvent): void => {
    if (e.direction !== 'in' || e.node.tag !== 'receipt' || !e.node.attrs.to?.endsWith('@g.us')) return;
    if (!e.phone || !this.accounts.has(e.phone)) return;
    const list = Array.isArray(e.node.content) ? e.node.content.find((c) => c.tag === 'list') : undefined;
    this.count += 1 + (Array.isArray(list?.content) ? list.content.length : 0);
  };

  constructor(
    private readonly sim: WhatsAppSimulator,
    private readonly accounts: ReadonlySet<string>,
  ) {
    sim.events.on('stanza', this.#listener);
  }

  /** Waits (polling) until `n` receipts came, or `ms` passed; returns how many came. */
  async atLeast(n: number, ms: number): Promise<number> {
    const deadline = Date.now() + ms;
    while (this.count < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    if (this.count < n) progress(`only ${this.count}/${n} group receipts within ${ms} ms`);
    return this.count;
  }

  stop(): void {
    this.sim.events.off('stanza', this.#listener);
  }
}

/** Every contact of `group` posts `posts` texts in it: each member device gets the contact's sender key first. */
export async function contactsPost(sim: WhatsAppSimulator, group: BenchGroup, posts = 1): Promise<number> {
  let count = 0;
  for (let p = 0; p < posts; p++) {
    for (const contact of group.contacts) {
      await sim.groups.post(group.jid, contact, { text: `post ${p} from ${contact}` });
      count++;
    }
  }
  return count;
}
