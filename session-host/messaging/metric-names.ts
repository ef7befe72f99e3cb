/** Counters of the message flows (docs/messaging.md), published with the host's metrics; alarms and the dashboard name them. */
export const MESSAGE_METRIC = {
  sent: 'MessagesSent',
  failed: 'MessagesFailed',
  received: 'MessagesReceived',
  refusedTimelocked: 'SendsRefusedTimelocked',
} as const;
