export { createSandbox } from './sandbox';
export { RETRY_SCHEDULE_SECONDS } from './notifier';
export type {
  Fault,
  FaultEndpoint,
  FaultKind,
  MerchantCredentials,
  OtherApp,
  Sandbox,
  SandboxOptions,
  SerialMode,
} from './types';
