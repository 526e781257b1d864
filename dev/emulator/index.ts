/**
 * The WeChat runtime emulator (Node-safe part). The jsdom-only built-in navigator lives in
 * ./navigator, so Node scripts (npm start, bench) never load miniprogram-simulate.
 */
export { createWx, installWx } from './wx';
export type {
  CashierArgs,
  CashierOutcome,
  CreateWxOptions,
  EmulatedWx,
  EmulatorState,
  MiniProgramDefinition,
  MiniProgramHandle,
  ModalRecord,
  Navigation,
  RoundTripPurpose,
  ToastRecord,
} from './wx';
export {
  connectPluginPayment,
  createFunctionalPageRunner,
  DEFAULT_FUNCTIONAL_PAGES_DIR,
  loadFunctionalPage,
} from './functional-page';
export type {
  BeforeRequestPaymentResult,
  BuildConfigOverride,
  DeliveredOutcome,
  FunctionalPageOptions,
  FunctionalPageRunner,
  PaymentRecord,
  PaymentRequest,
  PaymentRoute,
} from './functional-page';
export { httpRequest, postJson } from './http';
export { REPORT_TIMEOUT_MS } from './jump-report';
export type { JumpReport, JumpReporter } from './jump-report';
export {
  createPhone,
  SCENE_BACK_FROM_MINI_PROGRAM,
  SCENE_FROM_MINI_PROGRAM,
  SCENE_MAIN_ENTRY,
} from './phone';
export type {
  ApiCategory,
  AppHooks,
  EnterOptions,
  HideReason,
  PageHooks,
  Phone,
  ReferrerInfo,
  ReturnRecord,
  ShowOrder,
} from './phone';
export type {
  FallbackReason,
  JumpDialog,
  JumpKind,
  JumpRecord,
  NavigateBackMiniProgramOption,
  NavigateToMiniProgramOption,
  OpenEmbeddedMiniProgramOption,
} from './jumps';
