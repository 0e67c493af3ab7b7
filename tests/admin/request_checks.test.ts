import { CONFIRMATIONS } from '../../src/admin/contract';
import { checkConfirmedOnly, checkNoInput, checkReportRequest, checkTriggerAction } from '../../src/admin/payloads';

/**
 * What the admin page's resolver accepts from the browser: exactly the fields a
 * function takes, and for every change the confirmation phrase for exactly that
 * change. Anything else is refused with a message the page shows as it is.
 */

const CLOUD = '3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c';
const OTHER = '0a0b0c0d-0000-4000-8000-000000000000';

describe('a call that takes no input', () => {
  it('accepts an empty object and nothing else', () => {
    expect(checkNoInput({})).toEqual({ ok: true, value: {} });
    expect(checkNoInput(null)).toEqual({ ok: false, message: 'The request payload must be an object.' });
    expect(checkNoInput(undefined)).toEqual({ ok: false, message: 'The request payload must be an object.' });
    expect(checkNoInput({ a: 1, b: 2 })).toEqual({ ok: false, message: 'Unexpected field(s) a, b; expected none.' });
  });
});

describe('a confirmed action', () => {
  const phrase = CONFIRMATIONS.recordInstallation();

  it('goes ahead with its exact phrase', () => {
    expect(checkConfirmedOnly({ confirmation: phrase }, phrase)).toEqual({ ok: true, value: { confirmation: phrase } });
  });

  it.each([
    ['no confirmation', {}],
    ['the phrase in lower case', { confirmation: phrase.toLowerCase() }],
    ['the phrase with a trailing space', { confirmation: `${phrase} ` }],
  ])('is refused with %s', (_what, payload) => {
    expect(checkConfirmedOnly(payload, phrase)).toEqual({
      ok: false,
      message: `This action must be confirmed: confirmation must be "${phrase}".`,
    });
  });

  it('is refused with a field it does not take, saying which fields it does', () => {
    expect(checkConfirmedOnly({ confirmation: phrase, when: 'now' }, phrase)).toEqual({
      ok: false,
      message: 'Unexpected field(s) when; expected only confirmation.',
    });
  });
});

describe('a trigger action', () => {
  it("goes ahead for either trigger with that trigger's phrase", () => {
    for (const trigger of ['AUTO_12H', 'AUTO_24H'] as const) {
      const confirmation = CONFIRMATIONS.resetTrigger(trigger);
      expect(checkTriggerAction({ trigger, confirmation }, CONFIRMATIONS.resetTrigger)).toEqual({
        ok: true,
        value: { trigger, confirmation },
      });
    }
  });

  it('is refused without a trigger, naming the triggers there are', () => {
    expect(checkTriggerAction({ confirmation: 'RETRY' }, CONFIRMATIONS.retryTrigger)).toEqual({
      ok: false,
      message: 'trigger must be one of AUTO_12H, AUTO_24H.',
    });
  });

  it('is refused when the payload is a list', () => {
    expect(checkTriggerAction(['AUTO_12H'], CONFIRMATIONS.retryTrigger)).toEqual({
      ok: false,
      message: 'The request payload must be an object.',
    });
  });
});

describe('a report request', () => {
  const prefix = `phase5:report:${CLOUD}:`;

  it('is for any report key under this site', () => {
    for (const reportKey of [`${prefix}AUTO_12H`, `${prefix}MANUAL:20261102T210000.000Z-3`]) {
      expect(checkReportRequest({ reportKey }, CLOUD)).toEqual({ ok: true, value: { reportKey } });
    }
  });

  it("is refused for another site's report", () => {
    expect(checkReportRequest({ reportKey: `phase5:report:${OTHER}:AUTO_12H` }, CLOUD)).toEqual({
      ok: false,
      message: `reportKey must be a key starting with ${prefix}.`,
    });
  });

  it('is refused for a key under this site that storage would not accept', () => {
    for (const reportKey of [`${prefix}AUTO_12H/../state`, `${prefix}${'x'.repeat(500)}`]) {
      expect(checkReportRequest({ reportKey }, CLOUD)).toEqual({
        ok: false,
        message: 'reportKey is not a valid storage key.',
      });
    }
  });

  it('is refused with fields it does not take', () => {
    expect(checkReportRequest({ reportKey: `${prefix}AUTO_12H`, raw: true }, CLOUD)).toEqual({
      ok: false,
      message: 'Unexpected field(s) raw; expected only reportKey.',
    });
  });
});
