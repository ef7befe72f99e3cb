/**
 * Least-privilege grants for HTTP route functions, from each route's declared `access` (`RouteAccess` in
 * `shared/definitions/http-routes.ts`). Route files only declare what they touch; this turns it into IAM.
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import {
  TABLES,
  type HttpRouteDefinition,
  type RouteAccess,
  type TableName,
} from '../../shared/definitions/index.js';
import {
  KMS_GRANT_WILDCARD_ACTIONS,
  acknowledgeWildcardActions,
  acknowledgeWildcardResource,
} from '../nag.js';
import type { Messaging } from './messaging.js';

/** Every media object key starts with this (`mediaObjectKey` in `shared/domain/media.ts`). */
const MEDIA_KEY_PREFIX = 'media/';

/** What route functions may be granted (`RouteAccess`), besides the tables. */
export interface RouteResources {
  /** Session credentials (`blobs`). */
  readonly credentialsBucket: s3.IBucket;
  /** Uploaded and incoming media (`media`). */
  readonly mediaBucket: s3.IBucket;
  /** The app data key: SSE-KMS of the buckets and the client-side envelopes. */
  readonly key: kms.IKey;
  /** Host command queues (`hostCommands`), the event bus (`eventBus`), the delivery queue (`webhookDelivery`). */
  readonly messaging: Pick<Messaging, 'bus' | 'queues' | 'grantHostQueueSend' | 'hostQueueArnPattern'>;
}

/**
 * What every `apiKey` route needs besides its own declaration: the tenant guard reads the tenant (status,
 * limits) and counts the request in the tenant's rate-limit window.
 */
const TENANT_GUARD_TABLES: Partial<Record<TableName, 'read' | 'readWrite'>> = {
  tenants: 'read',
  rateLimits: 'readWrite',
};

/** Merges table grants, keeping the wider level of the two. */
function mergeTables(
  ...levels: (Partial<Record<TableName, 'read' | 'readWrite'>> | undefined)[]
): Partial<Record<TableName, 'read' | 'readWrite'>> {
  const out: Partial<Record<TableName, 'read' | 'readWrite'>> = {};
  for (const level of levels) {
    for (const [name, access] of Object.entries(level ?? {}) as [TableName, 'read' | 'readWrite'][]) {
      out[name] = out[name] === 'readWrite' ? 'readWrite' : access;
    }
  }
  return out;
}

/**
 * CDK's table grant plus the acknowledgments its wildcards need: `<table>/index/*` (queries on the table's own
 * GSIs) and the KMS `GenerateDataKey*`/`ReEncrypt*` actions (on the data key only, which encrypts the table).
 */
export function grantTable(
  role: iam.Role,
  tables: Readonly<Record<TableName, dynamodb.ITable>>,
  name: TableName,
  access: 'read' | 'readWrite',
): void {
  const table = tables[name];
  if (access === 'read') table.grantReadData(role);
  else table.grantReadWriteData(role);
  if (TABLES[name].globalIndexes.length > 0) {
    acknowledgeWildcardResource(
      role,
      `${table.tableArn}/index/*`,
      `Queries on the ${name} table's own global secondary indexes; no other table is covered.`,
    );
  }
  // A read grant only adds kms:Decrypt/DescribeKey; writes add the data-key generation family.
  if (access === 'readWrite') {
    acknowledgeWildcardActions(
      role,
      KMS_GRANT_WILDCARD_ACTIONS,
      'CDK grant for data encrypted with the app data key; the statement is scoped to that one key ARN.',
    );
  }
}

/** Turns a route's declared `access` (plus the tenant guard's needs on `apiKey` routes) into grants. */
export function grantRouteAccess(
  role: iam.Role,
  route: HttpRouteDefinition,
  allTables: Readonly<Record<TableName, dynamodb.ITable>>,
  resources: RouteResources | undefined,
): void {
  const access: RouteAccess = route.access ?? {};
  const tables = mergeTables(route.auth === 'apiKey' ? TENANT_GUARD_TABLES : undefined, access.tables);
  for (const [name, level] of Object.entries(tables) as [TableName, 'read' | 'readWrite'][]) {
    grantTable(role, allTables, name, level);
  }
  const needsResources =
    access.blobs || access.media || access.hostCommands || access.eventBus || access.webhookDelivery;
  if (!needsResources) return;
  if (!resources)
    throw new Error(`${route.routeKey} declares access that needs ControlPlaneProps.routeResources`);

  if (access.hostCommands) {
    resources.messaging.grantHostQueueSend(role);
    acknowledgeWildcardResource(
      role,
      resources.messaging.hostQueueArnPattern(),
      "Host command queues are created by hosts at run time; the pattern covers only this deployment's host-* queues, send and GetQueueUrl only.",
    );
  }
  if (access.blobs) grantBlobs(role, resources, access.blobs);
  if (access.media) grantMedia(role, resources, access.media);
  if (access.eventBus) resources.messaging.bus.grantPutEventsTo(role);
  if (access.webhookDelivery) {
    resources.messaging.queues.webhookDelivery.grantSendMessages(role);
    acknowledgeWildcardActions(
      role,
      KMS_GRANT_WILDCARD_ACTIONS,
      'CDK grant for sending to a queue encrypted with the app data key; the statement is scoped to that one key ARN.',
    );
  }
}

/**
 * Session credentials: list and read (and for `readWrite` put and delete) objects of the credentials bucket,
 * with the data key for SSE-KMS and the client-side envelope. Explicit actions instead of CDK's bucket grants,
 * whose `s3:*Object*` wildcards cover far more (ACLs, tagging, versions).
 */
function grantBlobs(role: iam.Role, resources: RouteResources, level: 'read' | 'readWrite'): void {
  const bucket = resources.credentialsBucket;
  const objects = bucket.arnForObjects('*');
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: level === 'read' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [objects],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: level === 'read' ? ['kms:Decrypt'] : ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [resources.key.keyArn],
    }),
  );
  acknowledgeWildcardResource(
    role,
    objects,
    'Objects are per session (sessions/<id>/...), known only at run time; the statement covers this one bucket.',
  );
}

/**
 * Media objects, one direction only: `read` may get objects under `media/` (plus `s3:ListBucket`, so a missing
 * id is S3's 404 and not a 403) and `kms:Decrypt` (SSE-KMS and the envelope's data key); `write` may only put
 * them, with `kms:GenerateDataKey` (a single-part SSE-KMS PutObject and sealing an envelope need nothing else).
 * An upload function can therefore not read any media back, and a download function cannot write or delete.
 */
function grantMedia(role: iam.Role, resources: RouteResources, level: 'read' | 'write' | 'delete'): void {
  const bucket = resources.mediaBucket;
  const objects = bucket.arnForObjects(`${MEDIA_KEY_PREFIX}*`);
  const reason =
    'Media objects are per tenant and id (media/<tenantId>/<mediaId>), known only at run time; the statement covers the media/ prefix of this one bucket.';
  if (level === 'delete') {
    // Deleting needs neither the object's bytes nor the key.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: [objects] }),
    );
    acknowledgeWildcardResource(role, objects, reason);
    return;
  }
  if (level === 'read') {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
  }
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: level === 'read' ? ['s3:GetObject'] : ['s3:PutObject'],
      resources: [objects],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: level === 'read' ? ['kms:Decrypt'] : ['kms:GenerateDataKey'],
      resources: [resources.key.keyArn],
    }),
  );
  acknowledgeWildcardResource(role, objects, reason);
}
