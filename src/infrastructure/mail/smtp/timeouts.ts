import { type StageTimeouts } from './smtp-session';

/** The Test button: each stage short, the whole test within 18 s (the contract promises 20). */
export const TEST_TIMEOUTS: StageTimeouts = {
  dns: 4000,
  connect: 5000,
  greeting: 5000,
  tls: 5000,
  auth: 5000,
  send: 8000,
};
export const TEST_BUDGET_MS = 18_000;

/** Real sends may carry 10 MiB of attachments to a slow server. */
export const SEND_TIMEOUTS: StageTimeouts = {
  dns: 5000,
  connect: 10_000,
  greeting: 10_000,
  tls: 10_000,
  auth: 10_000,
  send: 60_000,
};
export const SEND_BUDGET_MS = 90_000;
