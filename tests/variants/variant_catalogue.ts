import type { VariantOverrides } from '../../local/platform_variants';

/**
 * The alternatives the variant matrix runs, one per open question in the assumption
 * register (docs/assumption_register.md), and the combinations that matter: every
 * KVS alternative at once, everything at once, and read lag with transaction conflicts
 * under duplicate deliveries (the one pairing where two alternatives feed each other).
 */
export interface VariantCase {
  name: string;
  overrides: VariantOverrides;
  /** Deliver every tick twice at once, as Forge may ("a small chance" of duplicates). */
  duplicates?: boolean;
  /**
   * The alternative contradicts what Forge documents (for example a `get` that does not
   * read its own writes). The app need not do its whole job there, but it must stay
   * safe: never a second report, never a throw, idle invocations still write nothing.
   */
  againstDocs?: boolean;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const ALL_KVS_ALTERNATIVES: VariantOverrides['kvs'] = {
  batchGetMissing: 'omitted',
  // `get` is documented as strongly consistent; only the batch's consistency is open.
  readLagMs: { get: 0, batchGet: 10 * MINUTE },
  queryMaxLimit: 20,
  expiredReadableForMs: 48 * HOUR,
  failIfExistsOnExpired: 'conflicts',
  conflictCode: 'none',
  transactionConflictWindowMs: 1_000,
  batchInvalidItem: 'batchFails',
  batchGetItemErrors: 'firstItem',
  conditionRefusal: 'badRequest400',
  conditionOnAbsentEntity: 'noAttributes',
};

export const SINGLE_VARIANTS: VariantCase[] = [
  { name: 'defaults', overrides: {} },
  { name: 'batchGet omits missing keys', overrides: { kvs: { batchGetMissing: 'omitted' } } },
  { name: 'batchGet answers missing keys with value null', overrides: { kvs: { batchGetMissing: 'nullValue' } } },
  { name: 'get answers a missing key with value null', overrides: { kvs: { getMissing: 'nullValue' } } },
  { name: 'batchGet lags writes by 2 s', overrides: { kvs: { readLagMs: { get: 0, batchGet: 2_000 } } } },
  { name: 'batchGet lags writes by 10 min', overrides: { kvs: { readLagMs: { get: 0, batchGet: 10 * MINUTE } } } },
  {
    name: 'get and batchGet lag writes by 10 min',
    overrides: { kvs: { readLagMs: { get: 10 * MINUTE, batchGet: 10 * MINUTE } } },
    againstDocs: true,
  },
  { name: 'query limit at most 99', overrides: { kvs: { queryMaxLimit: 99 } } },
  { name: 'query limit at most 20', overrides: { kvs: { queryMaxLimit: 20 } } },
  {
    name: 'expired entries readable 48 h, FAIL_IF_EXISTS succeeds on them',
    overrides: { kvs: { expiredReadableForMs: 48 * HOUR, failIfExistsOnExpired: 'succeeds' } },
  },
  {
    name: 'expired entries readable 48 h, FAIL_IF_EXISTS conflicts on them',
    overrides: { kvs: { expiredReadableForMs: 48 * HOUR, failIfExistsOnExpired: 'conflicts' } },
  },
  { name: '409 code CONFLICT', overrides: { kvs: { conflictCode: 'CONFLICT' } } },
  { name: '409 code KEY_ALREADY_EXISTS', overrides: { kvs: { conflictCode: 'KEY_ALREADY_EXISTS' } } },
  { name: '409 without a body', overrides: { kvs: { conflictCode: 'none' } } },
  { name: 'transactions refused after a concurrent write', overrides: { kvs: { transactionConflictWindowMs: 1_000 } } },
  { name: 'a batch with an invalid item is refused whole', overrides: { kvs: { batchInvalidItem: 'batchFails' } } },
  { name: 'batch items fail on their own', overrides: { kvs: { batchGetItemErrors: 'firstItem' } } },
  { name: 'a refused condition answered 400', overrides: { kvs: { conditionRefusal: 'badRequest400' } } },
  { name: 'a refused condition answered 412', overrides: { kvs: { conditionRefusal: 'preconditionFailed412' } } },
  {
    name: 'a condition on an absent entity reads it as empty',
    overrides: { kvs: { conditionOnAbsentEntity: 'noAttributes' } },
  },
  { name: 'installed event with required fields only', overrides: { runtime: { installedEvent: 'minimal' } } },
  { name: 'only 204 recorded as success', overrides: { runtime: { scheduledTriggerSuccess: 'only204' } } },
  { name: 'app may browse 5 of 12 projects', overrides: { jira: { appBrowsableProjects: 5 } } },
  {
    name: 'approximate-count refuses open-ended JQL',
    overrides: { jira: { approximateCountOpenEnded: 'refuses' } },
  },
];

export const COMBINATIONS: VariantCase[] = [
  {
    // Nothing can then be read as absent: get's 404 KEY_NOT_FOUND is the absence the SDK's source knows.
    name: 'batchGet and get answer missing keys with value null',
    overrides: { kvs: { batchGetMissing: 'nullValue', getMissing: 'nullValue' } },
    againstDocs: true,
  },
  {
    name: 'batchGet answers missing keys with value null, duplicate deliveries',
    overrides: { kvs: { batchGetMissing: 'nullValue' } },
    duplicates: true,
  },
  { name: 'every KVS alternative at once', overrides: { kvs: ALL_KVS_ALTERNATIVES } },
  {
    name: 'every alternative at once',
    overrides: {
      kvs: ALL_KVS_ALTERNATIVES,
      runtime: { installedEvent: 'minimal', scheduledTriggerSuccess: 'only204' },
      jira: { appBrowsableProjects: 5, approximateCountOpenEnded: 'refuses' },
    },
  },
  { name: 'defaults, duplicate deliveries', overrides: {}, duplicates: true },
  {
    name: 'a refused condition answered 412, absent entities read as empty, duplicate deliveries',
    overrides: { kvs: { conditionRefusal: 'preconditionFailed412', conditionOnAbsentEntity: 'noAttributes' } },
    duplicates: true,
  },
  {
    name: 'batchGet lag 10 min and transaction conflicts, duplicate deliveries',
    overrides: {
      kvs: { readLagMs: { get: 0, batchGet: 10 * MINUTE }, transactionConflictWindowMs: 1_000 },
    },
    duplicates: true,
  },
  {
    name: 'batchGet omits missing keys, duplicate deliveries',
    overrides: { kvs: { batchGetMissing: 'omitted' } },
    duplicates: true,
  },
  {
    name: 'every alternative at once, duplicate deliveries',
    overrides: {
      kvs: ALL_KVS_ALTERNATIVES,
      runtime: { installedEvent: 'minimal', scheduledTriggerSuccess: 'only204' },
      jira: { appBrowsableProjects: 5, approximateCountOpenEnded: 'refuses' },
    },
    duplicates: true,
  },
];
