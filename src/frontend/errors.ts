import type { AdminError, Words } from '../admin/contract';
import { words } from '../admin/words';

/** What each code means to an admin, when the resolver's answer carries no words of its own. */
const ERROR_WORDS: Record<AdminError['code'], Words> = {
  NOT_ADMIN: words('error.code.NOT_ADMIN'),
  NO_USER: words('error.code.NO_USER'),
  PERMISSION_CHECK_FAILED: words('error.code.PERMISSION_CHECK_FAILED'),
  TENANT_CONTEXT_UNAVAILABLE: words('error.code.TENANT_CONTEXT_UNAVAILABLE'),
  INVALID_INPUT: words('error.code.INVALID_INPUT'),
  REFUSED: words('error.code.REFUSED'),
  NOT_FOUND: words('error.code.NOT_FOUND'),
  GENERATION_FAILED: words('error.code.GENERATION_FAILED'),
  STORAGE_UNAVAILABLE: words('error.code.STORAGE_UNAVAILABLE'),
  INTERNAL_ERROR: words('error.code.INTERNAL_ERROR'),
  OUTCOME_UNKNOWN: words('error.code.OUTCOME_UNKNOWN'),
  UNREACHABLE: words('error.code.UNREACHABLE'),
};

/** The resolver's words for a refusal, or the page's own for its code. */
export function errorWords(error: AdminError): Words {
  return error.words ?? ERROR_WORDS[error.code] ?? words('error.code.INTERNAL_ERROR');
}
