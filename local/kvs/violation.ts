import { INVENTED_CODES } from './invented_codes';

/**
 * A request the Forge KVS service refuses. Kept as plain data (not an Error) because
 * refusals such as KEY_NOT_FOUND are everyday traffic in a soak test, and capturing a
 * stack trace for each one would dominate the emulator's cost.
 */
export class Violation {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
  ) {}
}

export const badRequest = (detail: string): Violation =>
  // BAD_REQUEST / "Provided request body is invalid" is the code the SDK's own fixtures use
  // for malformed bodies; the detail is ours, to make local failures self-explanatory.
  new Violation(400, 'BAD_REQUEST', `Provided request body is invalid: ${detail}`);

export const keyNotFound = (): Violation => new Violation(404, 'KEY_NOT_FOUND', 'Provided key does not exist');

/**
 * Forge does not document the code of a FAIL_IF_EXISTS conflict, only the 409 status.
 * KEY_CONFLICT is the one code reported from a real installation (unverified third-party
 * write-up, see FORGE_FACTS.md §3), so callers must branch on the status, never on this.
 */
export const keyConflict = (key: string, code: string = INVENTED_CODES.KEY_CONFLICT): Violation =>
  new Violation(409, code, `Key already exists and keyPolicy is FAIL_IF_EXISTS: ${key}`);

export const notEmulated = (status: number, what: string): Violation =>
  new Violation(status, 'NOT_EMULATED', `${what} is not emulated by the local KVS emulator`);
