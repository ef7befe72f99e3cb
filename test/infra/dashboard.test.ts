import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SESSIONS_PER_HOST_METRIC } from '../../infra/constructs/session-hosts.js';
import { MEDIA_METRIC } from '../../session-host/messaging/media-download.js';
import { MESSAGE_METRIC } from '../../session-host/messaging/metric-names.js';
import { METRIC } from '../../session-host/metrics.js';
import { physicalQueueName, QUEUE_NAMES } from '../../shared/definitions/index.js';
import { SessionStatusSchema } from '../../shared/domain/session.js';
import { TEST_PREFIX, buildStack } from './support.js';

let template: Template;

/** One metric line of a widget: `[namespace, name, dimension, value, ..., { options }]`. */
type MetricLine = (string | Record<string, unknown>)[];
interface Widget {
  readonly type: string;
  readonly properties: { title?: string; metrics?: MetricLine[]; alarms?: unknown[] };
}

/** The dashboard body with CloudFormation references flattened to `<LogicalId>` / `<LogicalId.Attr>`. */
function widgets(): Widget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = (dashboards[0] as { Properties: { DashboardBody: unknown } }).Properties.DashboardBody;
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const value = node as Record<string, unknown>;
    if (Array.isArray(value['Fn::Join'])) {
      const [sep, parts] = value['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(sep);
    }
    if (value['Ref'] !== undefined) return `<${String(value['Ref'])}>`;
    if (Array.isArray(value['Fn::GetAtt'])) return `<${(value['Fn::GetAtt'] as string[]).join('.')}>`;
    return JSON.stringify(node);
  };
  return (JSON.parse(flatten(body)) as { widgets: Widget[] }).widgets;
}

function widget(title: string): Widget {
  const found = widgets().filter((w) => w.properties.title === title);
  expect(found, title).toHaveLength(1);
  return found[0]!;
}

const metricNames = (w: Widget) =>
  (w.properties.metrics ?? []).map((line) => line.find((_, i) => i === 1) as string);

beforeAll(() => {
  ({ template } = buildStack());
});

describe('overview dashboard', () => {
  it('is named from the prefix', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: `${TEST_PREFIX}overview` });
  });

  it('shows every alarm of the stack', () => {
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    const shown = JSON.stringify(widget('Alarms').properties.alarms);
    expect(alarmIds.length).toBeGreaterThan(0);
    for (const id of alarmIds) expect(shown).toContain(`<${id}.Arn>`);
  });

  it('graphs sessions by every status the domain has, summed over the hosts', () => {
    const w = widget('Sessions by status (all hosts)');
    expect(metricNames(w).sort()).toEqual(SessionStatusSchema.options.map((s) => `Sessions_${s}`).sort());
    for (const line of w.properties.metrics ?? []) {
      expect(line[0]).toBe(SESSIONS_PER_HOST_METRIC.namespace);
      expect(line).toEqual(expect.arrayContaining(['service', 'wa-platform', 'host', 'session-host']));
    }
  });

  it('names only host metrics the session hosts really write', () => {
    const written = new Set<string>([
      ...Object.values(METRIC),
      ...Object.values(MEDIA_METRIC),
      ...Object.values(MESSAGE_METRIC),
      SESSIONS_PER_HOST_METRIC.metricName,
      ...SessionStatusSchema.options.map((s) => `Sessions_${s}`),
    ]);
    const named = widgets()
      .flatMap((w) => w.properties.metrics ?? [])
      .filter((line) => line[0] === SESSIONS_PER_HOST_METRIC.namespace)
      .map((line) => line[1] as string);
    expect(named.length).toBeGreaterThan(15);
    expect(named.filter((n) => !written.has(n))).toEqual([]);
  });

  it('graphs the webhook queues and their DLQs by their physical names', () => {
    const shown = JSON.stringify(widget('Webhook queues: ready messages').properties.metrics);
    const queueIds = Object.entries(template.findResources('AWS::SQS::Queue'))
      .filter(([, r]) =>
        QUEUE_NAMES.some((n) =>
          String((r as { Properties: { QueueName: string } }).Properties.QueueName).startsWith(
            physicalQueueName(TEST_PREFIX, n),
          ),
        ),
      )
      .map(([id]) => id);
    expect(queueIds).toHaveLength(QUEUE_NAMES.length * 2); // each queue and its DLQ
    for (const id of queueIds) expect(shown).toContain(`<${id}.QueueName>`);
  });

  it('graphs the HTTP API traffic, errors and latency', () => {
    expect(metricNames(widget('HTTP API requests')).sort()).toEqual(['4xx', '5xx', 'Count']);
    expect(metricNames(widget('HTTP API latency (ms)'))).toEqual(['Latency', 'Latency']);
  });
});
