/**
 * Every error code the KVS emulator answers with that Forge's docs do not name.
 * They are the emulator's inventions, listed here and nowhere else, so nobody
 * mistakes one for a platform fact: the app branches on HTTP status (and on the
 * documented KEY_NOT_FOUND), never on these strings. Documented codes
 * (KEY_TOO_SHORT, KEY_TOO_LONG, INVALID_KEY, MAX_SIZE, MAX_DEPTH, KEY_NOT_FOUND,
 * LIST_QUERY_LIMIT_EXCEEDED, QUERY_WHERE_INVALID, QUERY_WHERE_FIELD_INVALID,
 * RATE_LIMIT_EXCEEDED, TOO_MANY_REQUESTS) and the SDK fixtures' codes
 * (BAD_REQUEST, INTERNAL_SERVER_ERROR, VALIDATION_ERROR) are used as found.
 */
export const INVENTED_CODES = {
  /** 409 of a FAIL_IF_EXISTS write on a live key (one unverified third-party report; the 409 is documented). */
  KEY_CONFLICT: 'KEY_CONFLICT',
  /** Alternative 409 code strings, for the conflict-code variant. */
  CONFLICT: 'CONFLICT',
  KEY_ALREADY_EXISTS: 'KEY_ALREADY_EXISTS',
  /** 409 of a transaction refused because one of its keys was written concurrently (transaction-conflict variant). */
  TRANSACTION_CONFLICT: 'TRANSACTION_CONFLICT',
  /** 400s for request shapes the docs give no code for. */
  INVALID_VALUE: 'INVALID_VALUE',
  INVALID_TTL: 'INVALID_TTL',
  EMPTY_BATCH: 'EMPTY_BATCH',
  BATCH_SIZE_EXCEEDED: 'BATCH_SIZE_EXCEEDED',
  EMPTY_TRANSACTION: 'EMPTY_TRANSACTION',
  TRANSACTION_SIZE_EXCEEDED: 'TRANSACTION_SIZE_EXCEEDED',
  DUPLICATE_KEYS: 'DUPLICATE_KEYS',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  INVALID_CURSOR: 'INVALID_CURSOR',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** Features the emulator does not implement (secrets). */
  NOT_EMULATED: 'NOT_EMULATED',
  /** 400 of a request naming a custom entity the manifest does not declare (the docs name no code for it). */
  ENTITY_NOT_DECLARED: 'ENTITY_NOT_DECLARED',
  /** A transaction refused because a condition did not hold, under each answer of the conditionRefusal variant. */
  CONDITIONAL_CHECK_FAILED: 'CONDITIONAL_CHECK_FAILED',
  TRANSACTION_CONDITION_FAILED: 'TRANSACTION_CONDITION_FAILED',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  /** 400 of an entity query whose partition values do not match its index, or whose cursor is not one. */
  INVALID_PARTITION: 'INVALID_PARTITION',
  /**
   * INTERNAL_SERVER_ERROR as a per-item code inside a batch answer (batch-item-error
   * variant): the SDK's fixtures show it only as a whole-request code.
   */
  ITEM_INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type InventedCode = (typeof INVENTED_CODES)[keyof typeof INVENTED_CODES];
