export { WhatsAppSimulator } from './simulator.js';
export type {
  AccountView,
  ContactView,
  DeviceView,
  QrScanView,
  SimulatorAddress,
  WhatsAppSimulatorOptions,
} from './simulator.js';
export type { SimulatorEvents, StanzaEvent, DeviceRef } from './events.js';
export type { FaultInput } from './faults.js';
export type { InboxEntry, OutboxEntry, MessageKind, DeliveryStatus } from './world/types.js';
export type { ProvisionRequest, ProvisionResult } from './flows/provision.js';
export type { ContactMedia } from './flows/receive.js';
export type { MediaKind } from './world/media.js';
export { SimulatorError } from './errors.js';
export { trustSimulator } from './trust.js';
export { provisionLinkedDevice } from './provision.js';
export { briefNode } from './wire/nodes.js';
export { memoryAuthState } from './memory-auth.js';
