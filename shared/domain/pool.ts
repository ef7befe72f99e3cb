/**
 * Number pools (docs/pools.md): several sessions of one tenant that send as one. Each contact sticks to one
 * member (an assignment per pool and contact); new contacts go to the healthiest member; a dead member's
 * contacts move on their next send.
 */
import * as z from 'zod';
import { IdSchema, TimestampSchema } from './ids.js';
import { PhoneSchema } from './phone.js';

export const PoolNameSchema = z.string().trim().min(1, 'must not be empty').max(100);

/** At most this many members: a pool send reads every member's session and load in one BatchGetItem (100 keys). */
export const MAX_POOL_MEMBERS = 20;

export const PoolMemberInputSchema = z.strictObject({
  sessionId: IdSchema,
  /** Share of new contacts relative to the other members (default 1). */
  weight: z.number().int().min(1).max(100).default(1),
  /** New contacts this member may take per UTC day, after warm-up too (absent: no cap beyond warm-up). */
  dailyCap: z.number().int().min(1).max(100_000).optional(),
});
export type PoolMemberInput = z.input<typeof PoolMemberInputSchema>;

export const PoolMemberSchema = z.object({
  sessionId: IdSchema,
  weight: z.number().int().min(1).max(100),
  dailyCap: z.number().int().min(1).max(100_000).optional(),
  /** When it joined this pool: day 0 of its warm-up. */
  addedAt: TimestampSchema,
});
export type PoolMember = z.infer<typeof PoolMemberSchema>;

export const PoolPolicySchema = z.strictObject({
  /**
   * Warm-up: new contacts a member may take on its 1st, 2nd, ... UTC day in the pool; after the last entry only
   * its `dailyCap` applies. Empty: no warm-up.
   */
  warmup: z.array(z.number().int().min(0).max(100_000)).max(60).default([]),
  /**
   * How long a member may be disconnected (reconnecting, starting) before its contacts move to other members.
   * A logged-out, stopped, restricted or deleted member loses its contacts at once.
   */
  disconnectedGraceSeconds: z.number().int().min(0).max(86_400).default(300),
  /**
   * No connected member can take the send: `fail` answers 409 `no_member_available`; `wait` queues it on a
   * member that is only disconnected (within its grace), where it goes out when the member is back (or moves to
   * another member if it dies), and fails as `fail` does when there is none.
   */
  whenNoMember: z.enum(['fail', 'wait']).default('fail'),
});
export type PoolPolicy = z.infer<typeof PoolPolicySchema>;

export const PoolSchema = z.object({
  id: IdSchema,
  tenantId: IdSchema,
  name: PoolNameSchema,
  members: z.array(PoolMemberSchema).max(MAX_POOL_MEMBERS),
  policy: PoolPolicySchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Pool = z.infer<typeof PoolSchema>;

const membersField = z
  .array(PoolMemberInputSchema)
  .max(MAX_POOL_MEMBERS, `at most ${MAX_POOL_MEMBERS} members`);

export const CreatePoolRequestSchema = z.strictObject({
  name: PoolNameSchema,
  members: membersField.default([]),
  policy: PoolPolicySchema.default({ warmup: [], disconnectedGraceSeconds: 300, whenNoMember: 'fail' }),
});
export type CreatePoolRequest = z.infer<typeof CreatePoolRequestSchema>;

export const UpdatePoolRequestSchema = z
  .strictObject({
    name: PoolNameSchema.optional(),
    /** The whole member list; members kept keep their `addedAt` (their warm-up goes on). */
    members: membersField.optional(),
    policy: PoolPolicySchema.partial().optional(),
  })
  .refine((r) => r.name !== undefined || r.members !== undefined || r.policy !== undefined, {
    message: 'give at least one of name, members, policy',
  });
export type UpdatePoolRequest = z.infer<typeof UpdatePoolRequestSchema>;

/** One contact's member in one pool; `version` guards every change (racing first sends, racing failovers). */
export const PoolAssignmentSchema = z.object({
  poolId: IdSchema,
  tenantId: IdSchema,
  contact: PhoneSchema,
  memberId: IdSchema,
  version: z.number().int().min(1),
  assignedAt: TimestampSchema,
  /** Earlier members, oldest first, and why the contact left each. */
  history: z
    .array(z.object({ memberId: IdSchema, until: TimestampSchema, reason: z.string().min(1) }))
    .max(20)
    .default([]),
});
export type PoolAssignment = z.infer<typeof PoolAssignmentSchema>;

/** Restricted periods kept on a member's load item (the count goes on past them). */
export const MAX_RESTRICTED_PERIODS_KEPT = 10;

/** One reach-out timelock of a member: when the pool saw it start and, once over, end. */
export const RestrictedPeriodSchema = z.object({
  since: TimestampSchema,
  until: TimestampSchema.optional(),
  /** WhatsApp's enforcement type (`RESTRICT_ALL_COMPANIONS`, ...). */
  type: z.string().min(1).max(64),
});
export type RestrictedPeriod = z.infer<typeof RestrictedPeriodSchema>;

/**
 * A member's load in one pool (one item, written by every pool send through it): new contacts it took on
 * `day` (UTC, `YYYY-MM-DD`: the cap and warm-up count these), messages sent through it, when it last took one.
 */
export const PoolMemberLoadSchema = z.object({
  day: z.string().optional(),
  newContactsToday: z.number().int().min(0).default(0),
  sent: z.number().int().min(0).default(0),
  contactsAssigned: z.number().int().default(0),
  reassignedAway: z.number().int().min(0).default(0),
  lastSentAt: z.number().int().min(0).optional(),
  /** Pool messages that failed on this member (counted once each by the pool failover worker). */
  failed: z.number().int().min(0).default(0),
  /** Reach-out timelocks (463) this member went through while in the pool. */
  restrictedPeriods: z.number().int().min(0).default(0),
  /** The last few of them, oldest first; `until` absent while it lasts. */
  restrictions: z.array(RestrictedPeriodSchema).max(MAX_RESTRICTED_PERIODS_KEPT).default([]),
});
export type PoolMemberLoad = z.infer<typeof PoolMemberLoadSchema>;

export const PoolPathSchema = z.object({ poolId: IdSchema });
export const PoolContactPathSchema = z.object({
  poolId: IdSchema,
  contact: PhoneSchema.describe("The contact's E.164 number (URL-encode the +: %2B15551234567)"),
});

export const utcDay = (now: number): string => new Date(now).toISOString().slice(0, 10);
