/**
 * The platform behaviours Forge's docs leave open, as ONE options object for the
 * local runtime. Each field is a question the assumption register in
 * docs/assumption_register.md asks; its default is the
 * answer the local runtime gave before the question was asked, so a world built
 * without variants behaves exactly as it always did. Tests run the scheduler's
 * whole story under each alternative (tests/variants/), and the platform check
 * (src/platform_check/) asks the same questions of whichever platform it runs on.
 */

export type BatchGetMissing =
  /** Missing keys come back in `failedKeys` with KEY_NOT_FOUND (the SDK's test fixtures). */
  | 'failedKeys'
  /** Missing keys are simply left out of both lists. */
  | 'omitted'
  /**
   * Missing keys come back in `successfulKeys` as `{ key, value: null }`. KVS cannot store
   * null, so such an item cannot be a stored value; nothing documents that it means absent.
   */
  | 'nullValue';

/**
 * How `get` answers a key that does not exist: 404 KEY_NOT_FOUND, which the SDK turns into
 * `undefined` (its source swallows that code), or a 200 `{ key, value: null }`, which the SDK
 * hands on as an entry whose value is null.
 */
export type GetMissing = 'keyNotFound' | 'nullValue';

/** The code string of the 409 a FAIL_IF_EXISTS write gets on an existing key ('none': a 409 without a JSON body). */
export type ConflictCode = 'KEY_CONFLICT' | 'CONFLICT' | 'KEY_ALREADY_EXISTS' | 'none';

/**
 * The HTTP status and code of a Custom Entity Store transaction refused because one
 * of its conditions did not hold; the docs say only that "the entire transaction will
 * fail" (storage-reference/entities-transactions).
 *  - 'conflict409': 409 CONDITIONAL_CHECK_FAILED, as a create-if-absent conflict is a 409;
 *  - 'badRequest400': 400 TRANSACTION_CONDITION_FAILED, as the docs' other refusals are 400s;
 *  - 'preconditionFailed412': 412 PRECONDITION_FAILED, HTTP's own word for it.
 */
export type ConditionRefusal = 'conflict409' | 'badRequest400' | 'preconditionFailed412';

/**
 * What a condition on a key that holds no entity evaluates to (undocumented):
 *  - 'fails': every condition is false, so the transaction is refused (NOT_EXISTS included);
 *  - 'noAttributes': the key reads as an entity with no attributes, so NOT_EXISTS and
 *    NOT_EQUAL_TO hold and EQUAL_TO does not.
 * Under both, a condition of equality fails on an absent entity.
 */
export type ConditionOnAbsentEntity = 'fails' | 'noAttributes';

export interface KvsVariants {
  batchGetMissing: BatchGetMissing;
  getMissing: GetMissing;
  /**
   * How long a write stays invisible to reads (ms): a read answers as of `now - lag`.
   * `get` is documented as strongly consistent; batches and their consistency are not.
   */
  readLagMs: { get: number; batchGet: number };
  /** The largest query `limit` accepted: 100 ("maximum of 100"), 99 ("should be below 100") or 20 (a doc comment). */
  queryMaxLimit: 100 | 99 | 20;
  /** How long after its expiry an entry is still readable until the lazy purge removes it (ms, at most 48 h). */
  expiredReadableForMs: number;
  /** A FAIL_IF_EXISTS write on an expired entry that is still readable: does it succeed or conflict? */
  failIfExistsOnExpired: 'succeeds' | 'conflicts';
  conflictCode: ConflictCode;
  /**
   * A transaction is refused when one of its keys was written by another request less
   * than this many ms before (0: never; Forge documents no such refusal).
   */
  transactionConflictWindowMs: number;
  /** A batch with one invalid item: only that item fails, or the whole request is refused. */
  batchInvalidItem: 'itemFails' | 'batchFails';
  /** Items of a batch read failing on their own with a transient error: none, or the first item of every batch. */
  batchGetItemErrors: 'none' | 'firstItem';
  /** How a transaction refused by a condition is answered. */
  conditionRefusal: ConditionRefusal;
  /** What a condition on a key with no entity evaluates to. */
  conditionOnAbsentEntity: ConditionOnAbsentEntity;
}

export interface RuntimeVariants {
  /**
   * The `avi:forge:installed:app` payload: 'documented' has `id`, `installerAccountId`,
   * `app`, `environment` and the site in `context`; 'minimal' has only the required
   * `id` and `app` (the site then comes from the handler's `installContext` alone).
   */
  installedEvent: 'documented' | 'minimal';
  /** How Forge records a scheduled trigger's answer: any 2xx as success, or only 204 ('only204'). */
  scheduledTriggerSuccess: 'any2xx' | 'only204';
}

export interface JiraVariants {
  /**
   * Projects the app's user may browse, as the first N in id order; 'all' lets `asApp()`
   * see every project. Real sites restrict the app user like any other user.
   */
  appBrowsableProjects: number | 'all';
  /** Whether approximate-count accepts `created <= now()` as bounded JQL, or refuses it as unbounded. */
  approximateCountOpenEnded: 'accepts' | 'refuses';
}

export interface EventVariants {
  /**
   * How long Forge keeps redelivering an async event that was not delivered successfully,
   * from when it was pushed (ms): 24 h as documented, up to 96 h when platform trouble
   * extends it. A retry that would fall after the window is dropped.
   */
  retentionWindowMs: number;
  /**
   * A push made by a consumer invocation that then failed (threw, timed out, or returned
   * an InvocationError): is the pushed event delivered ('delivered'), or dropped with the
   * failed delivery ('dropped')? Undocumented.
   */
  pushFromFailedConsumer: 'delivered' | 'dropped';
}

export interface PlatformVariants {
  kvs: KvsVariants;
  runtime: RuntimeVariants;
  jira: JiraVariants;
  events: EventVariants;
}

export const HOUR_MS = 3_600_000;
/** Forge: expired data is deleted "up to 48 hours" after it expires. */
export const MAX_PURGE_LATENESS_MS = 48 * HOUR_MS;
/** Forge: an async event is retried within a 24 h retention window, which platform trouble can extend to 96 h. */
export const EVENT_RETENTION_MS = 24 * HOUR_MS;
export const MAX_EVENT_RETENTION_MS = 96 * HOUR_MS;

export const DEFAULT_VARIANTS: PlatformVariants = {
  kvs: {
    batchGetMissing: 'failedKeys',
    getMissing: 'keyNotFound',
    readLagMs: { get: 0, batchGet: 0 },
    queryMaxLimit: 100,
    expiredReadableForMs: 0,
    failIfExistsOnExpired: 'succeeds',
    conflictCode: 'KEY_CONFLICT',
    transactionConflictWindowMs: 0,
    batchInvalidItem: 'itemFails',
    batchGetItemErrors: 'none',
    conditionRefusal: 'conflict409',
    conditionOnAbsentEntity: 'fails',
  },
  runtime: { installedEvent: 'documented', scheduledTriggerSuccess: 'any2xx' },
  jira: { appBrowsableProjects: 'all', approximateCountOpenEnded: 'accepts' },
  events: { retentionWindowMs: EVENT_RETENTION_MS, pushFromFailedConsumer: 'delivered' },
};

export type VariantOverrides = {
  kvs?: Partial<KvsVariants>;
  runtime?: Partial<RuntimeVariants>;
  jira?: Partial<JiraVariants>;
  events?: Partial<EventVariants>;
};

/** Defaults overlaid with the given fields; out-of-range values fail loudly rather than run a different world. */
export function platformVariants(overrides: VariantOverrides = {}): PlatformVariants {
  const v: PlatformVariants = {
    kvs: { ...DEFAULT_VARIANTS.kvs, ...overrides.kvs },
    runtime: { ...DEFAULT_VARIANTS.runtime, ...overrides.runtime },
    jira: { ...DEFAULT_VARIANTS.jira, ...overrides.jira },
    events: { ...DEFAULT_VARIANTS.events, ...overrides.events },
  };
  const { expiredReadableForMs, readLagMs, transactionConflictWindowMs } = v.kvs;
  if (!(expiredReadableForMs >= 0 && expiredReadableForMs <= MAX_PURGE_LATENESS_MS)) {
    throw new RangeError(`expiredReadableForMs must be within [0, 48 h], got ${expiredReadableForMs}`);
  }
  if (!(readLagMs.get >= 0 && readLagMs.batchGet >= 0)) throw new RangeError('readLagMs must be >= 0');
  if (!(transactionConflictWindowMs >= 0)) throw new RangeError('transactionConflictWindowMs must be >= 0');
  const retention = v.events.retentionWindowMs;
  if (!(retention >= EVENT_RETENTION_MS && retention <= MAX_EVENT_RETENTION_MS)) {
    throw new RangeError(`retentionWindowMs must be within [24 h, 96 h], got ${retention}`);
  }
  const browsable = v.jira.appBrowsableProjects;
  if (browsable !== 'all' && !(Number.isInteger(browsable) && browsable >= 0)) {
    throw new RangeError(`appBrowsableProjects must be 'all' or a count, got ${browsable}`);
  }
  return v;
}
