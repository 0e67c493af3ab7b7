/**
 * The app's typed errors. Inside the app we throw these (always keeping the
 * underlying `cause`); at a handler's edge every error becomes a response, so
 * Forge never sees a throw. Expected outcomes (lost a claim race, backoff
 * active, nothing due) are not errors and never appear here.
 */
export class AppError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A key would be rejected by Forge KVS (pattern or length); a programming or tenant-input error. */
export class InvalidStorageKeyError extends AppError {}

/** A KVS request failed; `keys` are the keys it was about. */
export abstract class StorageError extends AppError {
  constructor(
    message: string,
    readonly keys: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A KVS read failed. Never to be read as "the key is absent". */
export class StorageReadError extends StorageError {}

/** A KVS write (set, create-if-absent, transaction) failed and was not applied, as far as we know. */
export class StorageWriteError extends StorageError {}

/** A wake-up event was not pushed (or only maybe); the next scheduled tick covers for it. */
export class WakeUpPushError extends AppError {}

/** Report generation failed; the scheduler backs off and tries again later. */
export class GenerationError extends AppError {}

/** The serialised report would not fit comfortably in one KVS value. */
export class ReportTooLargeError extends GenerationError {
  constructor(
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(`Report is ${sizeBytes} bytes; the limit is ${limitBytes} bytes`);
  }
}

/** Render any thrown value as a short single-line message safe for logs and state. */
export function describeError(err: unknown): string {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  const oneLine = (raw ?? 'unknown error').replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 297)}...` : oneLine || 'unknown error';
}
