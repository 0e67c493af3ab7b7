import type { AutoTrigger } from '../storage/keys';
import type { Health, InstallationView, Situation, TriggerView, Words } from './contract';
import { at, reportName, words } from './words';

/**
 * The app's health, as the page says it first: every situation an admin should
 * know of, worst first, one message each, each with its cause and the one thing
 * to do. Pure: a function of the page's view, so what the top of the page says
 * can never disagree with what the rest of it shows.
 */

export interface HealthInputs {
  installation: InstallationView;
  triggers: TriggerView[];
  stateProblem: string | null;
  /** Report-history records that do not parse (they are skipped). */
  historyProblems: number;
  /** Triggers whose ledger record does not read (the scheduler leaves them alone until it is rebuilt). */
  blocked: AutoTrigger[];
}

const lastCause = (t: TriggerView): Words => t.lastError?.cause ?? words('cause.unexpected');

function installationSituation(installation: InstallationView): Situation | null {
  if (installation.status === 'missing') {
    return {
      level: 'action',
      kind: 'installation_missing',
      trigger: null,
      title: words('situation.installationMissing.title'),
      why: words('situation.installationMissing.why'),
      todo: words('situation.installationMissing.todo'),
      action: { kind: 'recordInstallation' },
    };
  }
  if (installation.status === 'recorded') return null;
  return {
    level: 'action',
    kind: 'installation_unusable',
    trigger: null,
    title: words('situation.installationUnusable.title'),
    why:
      installation.status === 'in_future' && installation.installedAt
        ? words('situation.installationUnusable.whyFuture', { at: at(installation.installedAt) })
        : words('situation.installationUnusable.whyUnreadable'),
    todo: words('situation.contactSupport.todo'),
    action: { kind: 'diagnostics' },
  };
}

function triggerSituation(t: TriggerView): Situation | null {
  const report = reportName(t.trigger);
  const base = { trigger: t.trigger };
  if (t.status === 'missed') {
    const closed = t.windowClosesAt ?? t.missedAt;
    return {
      ...base,
      level: 'attention',
      kind: 'report_missed',
      title: words('situation.missed.title', { report }),
      why:
        t.lastError !== null
          ? words('situation.missed.whyFailed', {
              report,
              closed: closed ? at(closed) : '—',
              cause: { words: lastCause(t) },
            })
          : words('situation.missed.whyNotRun', { report, closed: closed ? at(closed) : '—' }),
      todo: words('situation.missed.todo'),
      action: { kind: 'generateManual' },
    };
  }
  if (t.status === 'generating' && t.outcomeUnknown && t.liveClaim) {
    return {
      ...base,
      level: 'attention',
      kind: 'report_unaccounted',
      title: words('situation.unaccounted.title', { report }),
      why: words('situation.unaccounted.why', { report, started: at(t.liveClaim.claimedAt) }),
      todo: words('situation.unaccounted.todo', { after: at(t.liveClaim.leaseExpiresAt, true) }),
      action: null,
    };
  }
  if (t.status !== 'backing_off' || t.backoffUntil === null) return null;
  const cause = { words: lastCause(t) };
  // The window closes before the app would try again: only a retry now can still make it.
  if (t.windowClosesAt !== null && Date.parse(t.backoffUntil) >= Date.parse(t.windowClosesAt)) {
    return {
      ...base,
      level: 'action',
      kind: 'report_closing',
      title: words('situation.closing.title', { report }),
      why: words('situation.closing.why', { report, cause, closes: at(t.windowClosesAt, true) }),
      todo: words('situation.closing.todo', { closes: at(t.windowClosesAt) }),
      action: { kind: 'retry', trigger: t.trigger },
    };
  }
  const next = at(t.backoffUntil, true);
  // Its next attempt is the last the window leaves: if Jira is still down then, the report is lost.
  if (t.lastChanceAt !== null && t.windowClosesAt !== null && t.lastChanceAt === t.backoffUntil) {
    return {
      ...base,
      level: 'action',
      kind: 'report_last_chance',
      title: words('situation.lastChance.title', { report }),
      why: words('situation.lastChance.why', { report, cause, next, closes: at(t.windowClosesAt) }),
      todo: words('situation.lastChance.todo'),
      action: { kind: 'retry', trigger: t.trigger },
    };
  }
  if (t.repeatedLongBackoff) {
    return {
      ...base,
      level: 'action',
      kind: 'report_failing',
      title: words('situation.failing.title', { report }),
      why: words('situation.failing.why', { report, cause, count: t.failedAttempts, next }),
      todo: words('situation.failing.todo'),
      action: { kind: 'retry', trigger: t.trigger },
    };
  }
  return {
    ...base,
    level: 'attention',
    kind: 'report_retrying',
    title: words('situation.retrying.title', { report }),
    why: words('situation.retrying.why', { report, cause, next }),
    todo: null,
    action: null,
  };
}

/** Every situation, worst first: action before attention, and within a level in the order the page reads. */
export function situationsOf(inputs: HealthInputs): Situation[] {
  const all: Array<Situation | null> = [
    installationSituation(inputs.installation),
    ...inputs.blocked.map((trigger): Situation => ({
      level: 'action',
      kind: 'report_blocked',
      trigger,
      title: words('situation.blocked.title', { report: reportName(trigger) }),
      why: words('situation.blocked.why', { report: reportName(trigger) }),
      todo: words('situation.contactSupport.todo'),
      action: { kind: 'diagnostics' },
    })),
    ...inputs.triggers.map(triggerSituation),
    inputs.stateProblem === null
      ? null
      : {
          level: 'attention',
          kind: 'state_unreadable',
          trigger: null,
          title: words('situation.stateUnreadable.title'),
          why: words('situation.stateUnreadable.why'),
          todo: null,
          action: null,
        },
    inputs.historyProblems === 0
      ? null
      : {
          level: 'attention',
          kind: 'history_unreadable',
          trigger: null,
          title: words('situation.historyUnreadable.title'),
          why: words('situation.historyUnreadable.why', { count: inputs.historyProblems }),
          todo: words('situation.contactSupport.todo'),
          action: { kind: 'diagnostics' },
        },
  ];
  const present = all.filter((s): s is Situation => s !== null);
  return [...present.filter((s) => s.level === 'action'), ...present.filter((s) => s.level === 'attention')];
}

/** All is well: say what comes next, so "healthy" is something the admin can check. */
function healthyWhy(triggers: TriggerView[]): Words {
  const open = triggers.find((t) => t.status !== 'done');
  if (!open) return words('health.healthy.allDone');
  const report = reportName(open.trigger);
  if (open.status === 'generating') return words('health.healthy.inProgress', { report });
  if (open.status === 'due') return words('health.healthy.dueNow', { report });
  if (open.status === 'waiting' && open.dueAt) {
    const done = triggers.find((t) => t.status === 'done');
    return done
      ? words('health.healthy.nextDueAfterDone', { done: reportName(done.trigger), report, due: at(open.dueAt, true) })
      : words('health.healthy.nextDue', { report, due: at(open.dueAt, true) });
  }
  return words('health.healthy.onSchedule');
}

/** The page's first words: the worst situation's, or why all is well. */
export function healthOf(situations: Situation[], triggers: TriggerView[]): Health {
  const worst = situations[0];
  if (!worst)
    return { level: 'healthy', kind: null, trigger: null, why: healthyWhy(triggers), todo: null, action: null };
  const { level, kind, trigger, why, todo, action } = worst;
  return { level, kind, trigger, why, todo, action };
}
