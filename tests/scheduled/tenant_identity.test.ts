import { resolveTenant, resolveWakeUpTenant } from '../../src/scheduled/tenant';

/**
 * Whose site an invocation is for, decided from the two arguments Forge passes
 * and nothing else. What the tenant check answers is what the scheduler's 400
 * response and FAIL_CLOSED log line say, and what the admin page shows when it
 * cannot tell which site it is on.
 */

const CLOUD = '3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c';
const ARI = `ari:cloud:jira::site/${CLOUD}`;
const request = (cloudId: unknown) => ({ context: { cloudId } });

const notACloudId = {
  ok: false,
  errorCode: 'TENANT_CONTEXT_UNAVAILABLE',
  detail: 'request.context.cloudId is not a cloud ID',
};
const mismatch = {
  ok: false,
  errorCode: 'TENANT_CONTEXT_MISMATCH',
  detail: 'context.installContext does not name the site in request.context.cloudId',
};

describe('the cloudId Forge passes', () => {
  it('is the tenant when it is a cloud ID, in either case of its hex digits', () => {
    expect(resolveTenant(request(CLOUD), {})).toEqual({ ok: true, cloudId: CLOUD });
    expect(resolveTenant(request(CLOUD.toUpperCase()), {})).toEqual({ ok: true, cloudId: CLOUD.toUpperCase() });
  });

  it('says it is missing when absent or blank', () => {
    const missing = {
      ok: false,
      errorCode: 'TENANT_CONTEXT_UNAVAILABLE',
      detail: 'request.context.cloudId is missing or blank',
    };
    expect(resolveTenant(undefined, undefined)).toEqual(missing);
    expect(resolveTenant({ context: null }, undefined)).toEqual(missing);
    expect(resolveTenant(request(' \t'), undefined)).toEqual(missing);
  });

  it.each([
    ['text before it', `x${CLOUD}`],
    ['text after it', `${CLOUD}x`],
    ['a key separator inside', `${CLOUD}:AUTO_12H`],
  ])('is not a cloud ID with %s', (_what, cloudId) => {
    expect(resolveTenant(request(cloudId), {})).toEqual(notACloudId);
  });
});

describe('the installContext, when Forge passes one', () => {
  it('is ignored when null, as when absent', () => {
    expect(resolveTenant(request(CLOUD), { installContext: null })).toEqual({ ok: true, cloudId: CLOUD });
    expect(resolveTenant(request(CLOUD), null)).toEqual({ ok: true, cloudId: CLOUD });
  });

  it('may name the site through any product', () => {
    expect(resolveTenant(request(CLOUD), { installContext: `ari:cloud:confluence::site/${CLOUD}` })).toEqual({
      ok: true,
      cloudId: CLOUD,
    });
  });

  it.each([
    ['a number', 42],
    ['an object', { ari: ARI }],
    ['a list holding one', [ARI]],
    ['an ARI with text before it', `x${ARI}`],
    ['an ARI followed by a second line', `${ARI}\nari:cloud:jira::site/0a0b0c0d-0000-4000-8000-000000000000`],
    ['a workspace ARI', `ari:cloud:jira::workspace/${CLOUD}`],
  ])('must be a site ARI, not %s', (_what, installContext) => {
    expect(resolveTenant(request(CLOUD), { installContext })).toEqual(mismatch);
  });
});

describe('a wake-up event, held to the same standard', () => {
  const OTHER = '0a0b0c0d-0000-4000-8000-000000000000';
  const site = (id: string) => `ari:cloud:jira::site/${id}`;
  const unavailable = (detail: string) => ({ ok: false, errorCode: 'TENANT_CONTEXT_UNAVAILABLE', detail });
  const mismatch = (detail: string) => ({ ok: false, errorCode: 'TENANT_CONTEXT_MISMATCH', detail });

  it.each([
    ['the installContext Forge passes a consumer', { body: {} }, { installContext: site(CLOUD) }],
    ['a cloudId on the event', { context: { cloudId: CLOUD } }, { installContext: null }],
    ['a cloudId on the invocation', {}, { cloudId: CLOUD }],
    [
      'the installContext, other places saying null',
      { context: { cloudId: null } },
      { installContext: site(CLOUD), cloudId: null },
    ],
    [
      'all three, and the body, naming the same site',
      { context: { cloudId: CLOUD }, body: { cloud_id: CLOUD } },
      { installContext: site(CLOUD), cloudId: CLOUD },
    ],
  ])('names the tenant through %s', (_how, event, context) => {
    expect(resolveWakeUpTenant(event, context)).toEqual({ ok: true, cloudId: CLOUD });
  });

  it.each([
    [
      'no context at all',
      undefined,
      undefined,
      unavailable('the event names no site (no context.installContext, no cloudId)'),
    ],
    [
      'only the body naming a site',
      { body: { cloud_id: CLOUD } },
      {},
      unavailable('the event names no site (no context.installContext, no cloudId)'),
    ],
    [
      'an installContext that is not a site ARI',
      {},
      { installContext: 'ari:cloud:jira::project/1' },
      unavailable('context.installContext is not a site ARI'),
    ],
    [
      'an installContext that is a list',
      {},
      { installContext: [site(CLOUD)] },
      unavailable('context.installContext is not a site ARI'),
    ],
    [
      'a blank cloudId on the event',
      { context: { cloudId: ' ' } },
      { installContext: site(CLOUD) },
      unavailable('event.context.cloudId is blank or not a string'),
    ],
    [
      'a cloudId on the invocation that is a number',
      {},
      { installContext: site(CLOUD), cloudId: 7 },
      unavailable('context.cloudId is blank or not a string'),
    ],
    [
      'a site that is not a cloud ID',
      {},
      { installContext: site('abc') },
      unavailable('the site named is not a cloud ID'),
    ],
    [
      'the event and the invocation naming different sites',
      { context: { cloudId: OTHER } },
      { cloudId: CLOUD },
      mismatch('the invocation context names more than one site'),
    ],
    [
      'the installContext and a cloudId naming different sites',
      {},
      { installContext: site(CLOUD), cloudId: OTHER },
      mismatch('the invocation context names more than one site'),
    ],
    [
      'a body naming another site',
      { body: { cloud_id: OTHER } },
      { installContext: site(CLOUD) },
      mismatch('the event body names another site than the invocation context'),
    ],
    [
      'a body naming no site in place of one',
      { body: { cloud_id: null } },
      { installContext: site(CLOUD) },
      mismatch('the event body names another site than the invocation context'),
    ],
  ])('fails closed on %s', (_what, event, context, expected) => {
    expect(resolveWakeUpTenant(event, context)).toEqual(expected);
  });
});
