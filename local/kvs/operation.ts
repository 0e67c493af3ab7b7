import type { KvsVariants } from '../platform_variants';
import type { EntityDefinitions } from './entity_schema';
import { KvsBackend } from './store';
import type { HistoryBackend } from './write_history';
import { Violation } from './violation';

/** What one operation sees: one installation's storage at one instant. */
export interface OpContext {
  readonly backend: KvsBackend;
  readonly namespace: string;
  readonly now: number;
  /** The raw request body, for limits stated on the payload rather than on values. */
  readonly rawBody: string;
  /** The answers this emulator gives where Forge's docs leave the behaviour open. */
  readonly variants: KvsVariants;
  /** Recent writes, when a read-lag or transaction-conflict variant needs them. */
  readonly history?: HistoryBackend;
  /** Who sent the request, when known (see KvsRequestInit.writer). */
  readonly writer?: string;
  /** The custom entities the app's manifest declares. */
  readonly entities: EntityDefinitions;
}

/** An operation's answer before it becomes a Response; `json` absent means an empty body. */
export interface Reply {
  readonly status: number;
  readonly json?: string;
}

export type Operation = (ctx: OpContext, body: unknown) => Reply;

export const noContent: Reply = { status: 204 };

export const ok = (json: string): Reply => ({ status: 200, json });

export const refuse = (v: Violation): Reply => ({
  status: v.status,
  json: JSON.stringify({ code: v.code, message: v.message }),
});
