/**
 * Global setup for mini program tests (jsdom + miniprogram-simulate). Pages are written with
 * Component(), so no Page shim is needed; getCurrentPages is given an empty stack.
 */
(globalThis as unknown as { getCurrentPages: () => unknown[] }).getCurrentPages = () => [];
