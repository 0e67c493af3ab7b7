import { getAppContext } from '@forge/api';

/**
 * The app version as Forge reports it, or null where the runtime does not say
 * (the SDK throws when no Forge runtime is present). Only ever used as a label
 * in stored records, so an unknown version is not an error.
 */
export function appVersion(): string | null {
  try {
    const version = getAppContext()?.appVersion;
    return typeof version === 'string' && version.length > 0 ? version : null;
  } catch {
    return null;
  }
}

/**
 * How long Forge lets this invocation run on, as its runtime reports it (the Lambda's
 * remaining time), or null where the runtime does not say (`forge tunnel` before CLI
 * support, no runtime at all). A UI resolver is stopped at 25 s whatever its Lambda
 * allows, so callers bound this by that limit themselves.
 */
export function remainingTimeMs(): number | null {
  try {
    const ms = getAppContext().invocationRemainingTimeInMillis();
    return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : null;
  } catch {
    return null;
  }
}
