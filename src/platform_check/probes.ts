import { route } from '@forge/api';
import type { RawRefusal } from '../storage/kvs_store';
import type { ProbeId, ProbeVerdict } from './check_report';
import type { ProbeContext } from './probe_context';

/**
 * The questions of the assumption register (docs/assumption_register.md),
 * asked of whichever platform this runs on. `expected` is
 * the answer the app's main path takes and the local runtime gives by default;
 * a probe says HOLDS when it sees that answer, DIFFERS with what it saw instead,
 * and COULD_NOT_CHECK with why when the platform gave no usable answer. The app
 * works under every alternative (the variant matrix in tests/variants/ shows
 * it); a DIFFERS tells the vendor which alternative a site is on.
 */

export interface ProbeOutcome {
  verdict: ProbeVerdict;
  observed: string;
}

/** Facts one probe leaves for a later one (the TTL probes share one wait). */
export interface ProbeShared {
  expiredKey?: string;
}

export interface Probe {
  id: ProbeId;
  question: string;
  expected: string;
  run(ctx: ProbeContext, shared: ProbeShared): Promise<ProbeOutcome>;
}

const holds = (observed: string): ProbeOutcome => ({ verdict: 'HOLDS', observed });
const differs = (observed: string): ProbeOutcome => ({ verdict: 'DIFFERS', observed });
const unchecked = (observed: string): ProbeOutcome => ({ verdict: 'COULD_NOT_CHECK', observed });
const refusal = (r: RawRefusal): string => `${r.status || 'no answer'} ${r.code}`;

/** A TTL expires after this; the probe waits a little longer than that before looking. */
const TTL_SECONDS = 1;
const EXPIRY_WAIT_MS = 2_500;

export const PROBES: readonly Probe[] = [
  {
    id: 'batch-get-missing-key',
    question: 'How does batchGet report a key that does not exist?',
    expected: 'in failedKeys with KEY_NOT_FOUND',
    async run(ctx) {
      const present = ctx.key('present');
      const missing = ctx.key('never-written');
      const put = await ctx.kvs.set(present, 'present');
      if (!put.ok) return unchecked(`could not write the scratch key: ${refusal(put)}`);
      const answer = await ctx.kvs.batchGet([present, missing]);
      if (!answer.ok) return unchecked(`batchGet refused: ${refusal(answer)}`);
      const failed = answer.failedKeys.find((f) => f.key === missing);
      const succeeded = answer.successfulKeys.find((s) => s.key === missing);
      if (failed?.code === 'KEY_NOT_FOUND') return holds('failedKeys, KEY_NOT_FOUND');
      if (failed) return differs(`failedKeys with code ${failed.code}`);
      if (succeeded) {
        const how = !succeeded.hasValue
          ? 'without a value'
          : succeeded.value === null
            ? 'with value null'
            : 'with a value';
        return differs(`successfulKeys ${how}`);
      }
      return differs('left out of both successfulKeys and failedKeys');
    },
  },
  {
    id: 'get-missing-key',
    question: 'How does get report a key that does not exist?',
    expected: '404 KEY_NOT_FOUND, which the SDK returns as undefined',
    async run(ctx) {
      const answer = await ctx.kvs.get(ctx.key('never-written'));
      if (!answer.ok) return unchecked(`get refused: ${refusal(answer)}`);
      if (!answer.found) return holds('absent (404 KEY_NOT_FOUND)');
      return differs(answer.value === null ? 'an entry with value null' : 'an entry with a value');
    },
  },
  {
    id: 'get-reads-own-write',
    question: 'Does get return a value written a moment before?',
    expected: 'the new value at once (documented: get is strongly consistent)',
    async run(ctx) {
      const key = ctx.key('ryw-get');
      const nonce = `v-${ctx.runId}`;
      const put = await ctx.kvs.set(key, nonce);
      if (!put.ok) return unchecked(`could not write the scratch key: ${refusal(put)}`);
      const got = await ctx.kvs.get(key);
      if (!got.ok) return unchecked(`get refused: ${refusal(got)}`);
      if (got.found && got.value === nonce) return holds('the value just written');
      return differs(got.found ? 'an older value' : 'absent, right after it was written');
    },
  },
  {
    id: 'batch-get-reads-own-write',
    question: 'Does batchGet return a value written a moment before?',
    expected: 'the new value at once',
    async run(ctx) {
      const key = ctx.key('ryw-batch');
      const nonce = `v-${ctx.runId}`;
      const put = await ctx.kvs.set(key, nonce);
      if (!put.ok) return unchecked(`could not write the scratch key: ${refusal(put)}`);
      // The written key goes second, so a platform that fails a batch's first item does not hide the answer.
      const answer = await ctx.kvs.batchGet([ctx.key('ryw-batch-first'), key]);
      if (!answer.ok) return unchecked(`batchGet refused: ${refusal(answer)}`);
      const item = answer.successfulKeys.find((s) => s.key === key);
      if (item?.hasValue && item.value === nonce) return holds('the value just written');
      if (item?.hasValue) return differs('an older value');
      const failed = answer.failedKeys.find((f) => f.key === key);
      if (failed && failed.code !== 'KEY_NOT_FOUND') return unchecked(`the item failed with ${failed.code}`);
      return differs(failed ? 'KEY_NOT_FOUND, right after it was written' : 'left out, right after it was written');
    },
  },
  {
    id: 'query-limit-100',
    question: 'Does query accept limit(100)?',
    expected: 'accepted ("a maximum of 100")',
    async run(ctx) {
      const answer = await ctx.kvs.query(100);
      if (answer.ok) return holds('accepted');
      if (answer.status === 400) return differs(`refused: ${refusal(answer)} ${answer.message}`.trim());
      return unchecked(`query failed: ${refusal(answer)}`);
    },
  },
  {
    id: 'ttl-expired-entry-gone',
    question: 'Is an entry gone once its TTL has passed?',
    expected: 'gone at expiry (the docs allow it to linger up to 48 h)',
    async run(ctx, shared) {
      const lingering = ctx.key('ttl-read');
      const recreate = ctx.key('ttl-recreate');
      const a = await ctx.kvs.set(lingering, 'expires', { ttlSeconds: TTL_SECONDS });
      const b = await ctx.kvs.set(recreate, 'expires', { ttlSeconds: TTL_SECONDS });
      if (!a.ok) return unchecked(`could not write with a TTL: ${refusal(a)}`);
      const waitedFrom = ctx.deps.now();
      await ctx.wait(EXPIRY_WAIT_MS);
      // A simulated clock that stands still (the local dev host) lets no TTL run out.
      const waited = ctx.deps.now() - waitedFrom;
      if (waited <= TTL_SECONDS * 1000) return unchecked('platform time did not pass while waiting');
      if (b.ok) shared.expiredKey = recreate;
      const got = await ctx.kvs.get(lingering);
      if (!got.ok) return unchecked(`get refused: ${refusal(got)}`);
      const after = `${((waited - TTL_SECONDS * 1000) / 1000).toFixed(1)} s after expiry`;
      // Only the value written counts as still readable: a platform may answer a missing key with null.
      return got.found && got.value === 'expires' ? differs(`still readable ${after}`) : holds(`absent ${after}`);
    },
  },
  {
    id: 'fail-if-exists-on-expired',
    question: 'Does a FAIL_IF_EXISTS write succeed on an expired entry?',
    expected: 'succeeds (an expired entry does not exist)',
    async run(ctx, shared) {
      if (!shared.expiredKey) return unchecked('no expired scratch entry to write over');
      const answer = await ctx.kvs.set(shared.expiredKey, 'again', { failIfExists: true });
      if (answer.ok) return holds('succeeded');
      if (answer.status === 409) return differs(`refused: ${refusal(answer)}`);
      return unchecked(`write failed: ${refusal(answer)}`);
    },
  },
  {
    id: 'fail-if-exists-conflict',
    question: 'What does a FAIL_IF_EXISTS write on an existing key answer?',
    expected: '409 with code KEY_CONFLICT (the app relies on the 409 only)',
    async run(ctx) {
      const key = ctx.key('conflict');
      const first = await ctx.kvs.set(key, 'first', { failIfExists: true });
      if (!first.ok) return unchecked(`the first create failed: ${refusal(first)}`);
      const second = await ctx.kvs.set(key, 'second', { failIfExists: true });
      if (second.ok) return differs('the second create succeeded too');
      if (second.status === 409 && second.code === 'KEY_CONFLICT') return holds('409 KEY_CONFLICT');
      if (second.status === 409) return differs(`409 with code ${second.code}`);
      return differs(`${refusal(second)} instead of 409`);
    },
  },
  {
    id: 'transaction-concurrent-write',
    question: 'Is a transaction refused because another request wrote one of its keys at the same time?',
    expected: 'never refused for that',
    async run(ctx) {
      const key = ctx.key('tx');
      const [plain, tx] = await Promise.all([
        ctx.kvs.set(key, 'plain'),
        ctx.kvs.transactSet([{ key, value: 'transaction' }]),
      ]);
      if (!plain.ok) return unchecked(`the concurrent write failed: ${refusal(plain)}`);
      if (tx.ok) return holds('the transaction committed beside a concurrent write');
      if (tx.status === 409 || tx.status === 400) return differs(`refused: ${refusal(tx)}`);
      return unchecked(`the transaction failed: ${refusal(tx)}`);
    },
  },
  {
    id: 'condition-refusal-answer',
    question: 'How is a Custom Entity Store transaction refused by a condition answered?',
    expected:
      'refused, as 409 CONDITIONAL_CHECK_FAILED (the status and code are undocumented; the app reads the record back whatever they are)',
    async run(ctx) {
      const record = ctx.kvs.record('condition');
      const put = await ctx.kvs.recordSet(record, ctx.kvs.recordValue(1));
      if (!put.ok) return unchecked(`could not write the scratch record: ${refusal(put)}`);
      // The record holds version 1; the transaction is conditional on version 2.
      const answer = await ctx.kvs.recordSetIf(record, ctx.kvs.recordValue(3), { equalTo: { version: 2 } });
      if (answer.ok) {
        return differs('the transaction committed although its condition was false: conditional writes decide nothing');
      }
      if (answer.status === 409 && answer.code === 'CONDITIONAL_CHECK_FAILED')
        return holds('409 CONDITIONAL_CHECK_FAILED');
      if (answer.status >= 400 && answer.status < 500 && answer.status !== 429)
        return differs(`refused: ${refusal(answer)}`);
      return unchecked(`the transaction failed: ${refusal(answer)}`);
    },
  },
  {
    id: 'condition-on-absent-entity',
    question: 'What does a transaction condition on an entity that does not exist evaluate to?',
    expected: 'false, whatever the condition: the transaction is refused (undocumented)',
    async run(ctx) {
      // An equality on an absent record must fail under either answer: every ledger transition is one.
      const equal = await ctx.kvs.recordSetIf(ctx.kvs.record('absent-equal'), ctx.kvs.recordValue(1), {
        equalTo: { version: 1 },
      });
      if (equal.ok) {
        return differs('an equality on an absent entity held: a transition could land on a record that vanished');
      }
      if (equal.status === 0 || equal.status >= 500 || equal.status === 429) {
        return unchecked(`the transaction failed: ${refusal(equal)}`);
      }
      // notExists on an absent record: refused if every condition on it is false, stored if it reads as empty.
      const none = await ctx.kvs.recordSetIf(ctx.kvs.record('absent-none'), ctx.kvs.recordValue(1), {
        notExists: 'version',
      });
      if (!none.ok && none.status >= 400 && none.status < 500 && none.status !== 429) {
        return holds(`refused (${refusal(equal)}; notExists: ${refusal(none)})`);
      }
      if (none.ok)
        return differs('an absent entity reads as one with no attributes: notExists holds, equalTo does not');
      return unchecked(`the notExists transaction failed: ${refusal(none)}`);
    },
  },
  {
    id: 'batch-items-independent',
    question: 'Does one invalid item fail only itself in a batch write?',
    expected: 'only that item fails; the others are stored',
    async run(ctx) {
      const good = ctx.key('batch-good');
      const answer = await ctx.kvs.batchSet([
        { key: good, value: 'good' },
        // '/' is not allowed in a KVS key, so this item cannot be stored anywhere.
        { key: `${ctx.prefix}invalid/key`, value: 'bad' },
      ]);
      if (!answer.ok) {
        return answer.status === 400
          ? differs(`the whole batch was refused: ${refusal(answer)}`)
          : unchecked(refusal(answer));
      }
      const stored = answer.successfulKeys.some((s) => s.key === good);
      const rejected = answer.failedKeys.find((f) => f.key.endsWith('invalid/key'));
      if (stored && rejected) return holds(`the valid item stored, the invalid one failed (${rejected.code})`);
      return differs(
        `valid item ${stored ? 'stored' : 'not stored'}, invalid item ${rejected ? 'failed' : 'not reported'}`,
      );
    },
  },
  {
    id: 'batch-get-items-answered',
    question: 'Does a batch read answer every existing key with its value?',
    expected: 'every item in successfulKeys with its value',
    async run(ctx) {
      const k1 = ctx.key('items-1');
      const k2 = ctx.key('items-2');
      const put = await ctx.kvs.batchSet([
        { key: k1, value: 1 },
        { key: k2, value: 2 },
      ]);
      if (!put.ok) return unchecked(`could not write the scratch keys: ${refusal(put)}`);
      const answer = await ctx.kvs.batchGet([k1, k2]);
      if (!answer.ok) return unchecked(`batchGet refused: ${refusal(answer)}`);
      const failed = answer.failedKeys.filter((f) => f.code !== 'KEY_NOT_FOUND');
      if (failed.length > 0) return differs(`item(s) failed on their own: ${failed.map((f) => f.code).join(', ')}`);
      const valueless = answer.successfulKeys.filter((s) => !s.hasValue);
      if (valueless.length > 0) return differs(`${valueless.length} item(s) in successfulKeys without a value`);
      if (answer.successfulKeys.length < 2) return unchecked('the keys just written were not visible yet');
      return holds('both items with their values');
    },
  },
  {
    id: 'installed-event-shape',
    question: 'Which documented fields did this site’s avi:forge:installed:app event carry?',
    expected: 'id, app and the site in context (installerAccountId, environment optional)',
    async run(ctx) {
      const answer = await ctx.kvs.readEvidence();
      if (!answer.ok) return unchecked(`the installation evidence could not be read: ${refusal(answer)}`);
      const evidence = answer.value as { source?: unknown; event_fields?: unknown } | undefined;
      if (!answer.found || !evidence) return unchecked('no installation evidence is stored');
      if (evidence.source !== 'avi:forge:installed:app')
        return unchecked('the installation time was not recorded from the event');
      if (!Array.isArray(evidence.event_fields)) return unchecked('recorded by a version that kept no event fields');
      const fields = evidence.event_fields.filter((f): f is string => typeof f === 'string');
      const missing = ['id', 'app', 'context'].filter((f) => !fields.includes(f));
      const seen = `fields: ${fields.join(', ')}`;
      return missing.length === 0 ? holds(seen) : differs(`${seen}; missing ${missing.join(', ')}`);
    },
  },
  {
    id: 'app-project-visibility',
    question: 'Does asApp() see every project the administrator sees?',
    expected: 'yes (a site may restrict the app user like any other user)',
    async run(ctx) {
      const path = route`/rest/api/3/project/search?maxResults=${1}`;
      const [app, user] = await Promise.all([ctx.jiraAsApp(path), ctx.jiraAsUser(path)]);
      const total = (a: { status: number; body: unknown }) =>
        a.status === 200 ? (a.body as { total?: unknown } | undefined)?.total : undefined;
      const appTotal = total(app);
      const userTotal = total(user);
      if (typeof appTotal !== 'number') return unchecked(`project search as the app answered ${app.status}`);
      if (typeof userTotal !== 'number') return unchecked(`project search as you answered ${user.status}`);
      if (appTotal >= userTotal) return holds(`the app sees ${appTotal} project(s); you see ${userTotal}`);
      return differs(`the app sees ${appTotal} of the ${userTotal} project(s) you see; reports count only those`);
    },
  },
  {
    id: 'approximate-count-open-ended',
    question: 'Does approximate-count accept the JQL the report sends for the issue total (created <= now())?',
    expected: 'accepted as bounded',
    async run(ctx) {
      const answer = await ctx.jiraAsApp(route`/rest/api/3/search/approximate-count`, {
        method: 'POST',
        body: JSON.stringify({ jql: 'created <= now()' }),
      });
      if (answer.status === 200) return holds('accepted');
      if (answer.status === 400) {
        const messages = (answer.body as { errorMessages?: unknown } | undefined)?.errorMessages;
        return differs(`refused: 400 ${Array.isArray(messages) ? String(messages[0] ?? '') : ''}`.trim());
      }
      return unchecked(`approximate-count answered ${answer.status}`);
    },
  },
  {
    id: 'scheduled-trigger-status',
    question: 'Does Forge record a scheduled trigger’s 200 as a success, as it does a 204?',
    expected: 'any 2xx is a success',
    async run() {
      return unchecked(
        'Forge shows how it recorded each invocation only in the developer console’s metrics; an app cannot read them. Compare the console’s success rate with the scheduler’s 200 answers.',
      );
    },
  },
];
