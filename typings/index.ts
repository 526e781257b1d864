/** The wire contract shared by client, plugin, functional page and server. Types only. */
export type * from './api';
export type * from './payment';
export type * from './pay-button';
export type * from './cashier';
