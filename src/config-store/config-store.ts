/**
 * What the admin API needs from wherever config versions live: the file (read-only) or Redis
 * (numbered immutable versions, written with an optimistic version check).
 */
import type { GatewayConfig } from '../config/types.js';

export interface VersionInfo {
  version: number;
  created_at: string;
  /** What made this version: "admin", "config", "rollback of N", "seed from FILE". */
  source: string;
}

export type CommitResult = { ok: true; version: number } | { ok: false; current: number };

export interface ConfigStore {
  readonly kind: 'file' | 'redis';
  /** Why writes are refused, or null when the store takes writes. */
  readonly readOnlyReason: string | null;
  /** "connected", "connecting", "disconnected", or "not_configured" without Redis. */
  redisState(): string;
  /** Brings the served version up to the store's latest (a no-op for the file). */
  refresh(): Promise<void>;
  /** Stores `config` as a new version if `base` is still the latest, and serves it here before returning. */
  commit(config: GatewayConfig, base: number, source: string): Promise<CommitResult>;
  /** Known versions, newest first. */
  versions(): Promise<VersionInfo[]>;
  /** A stored version's document, or null when it is unknown (or expired from the history). */
  read(version: number): Promise<unknown>;
  close(): Promise<void>;
}

/** A store error the admin API turns into 503 (Redis unreachable, timeouts). */
export class StoreUnavailableError extends Error {}
