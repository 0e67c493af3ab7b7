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
