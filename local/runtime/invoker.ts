import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  AppManifest,
  DEFAULT_TIMEOUT_SECONDS,
  loadManifest,
  RESOLVER_TIMEOUT_SECONDS,
  resolveHandler,
} from './manifest';
import { Installation, Invocation, LocalForgeRuntime } from './forge_runtime';
import { DEFAULT_VARIANTS, RuntimeVariants } from '../platform_variants';

/**
 * Calls the app's handlers the way Forge does: the module named in
 * manifest.yml, its `handler` resolved to the export in `src/`, and the
 * arguments in the shapes Forge passes for each kind of module.
 */

export const APP_ROOT = path.resolve(__dirname, '..', '..');

export function newInstallation(cloudId: string = randomUUID()): Installation {
  return { installationId: randomUUID(), cloudId, siteAri: `ari:cloud:jira::site/${cloudId}` };
}

export type InvocationResult<T = unknown> =
  | { killed: false; result: T; invocation: Invocation }
  | { killed: true; invocation: Invocation; threw?: { error: unknown } };

export class Invoker {
  readonly manifest: AppManifest;
  /** Resolved once per function, as a Forge container loads the bundle once and reuses it while warm. */
  private readonly handlers = new Map<string, (...args: unknown[]) => unknown>();

  constructor(
    readonly runtime: LocalForgeRuntime,
    appRoot: string = APP_ROOT,
    readonly variants: RuntimeVariants = DEFAULT_VARIANTS.runtime,
  ) {
    this.manifest = loadManifest(appRoot);
  }

  /**
   * Run `handler` in place of the manifest's handler for `functionKey`. For the local
   * runtime's own contract tests only (a consumer that throws, hangs or pushes on
   * demand): the app's tests always run the app's handlers.
   */
  replaceHandler(functionKey: string, handler: (...args: unknown[]) => unknown): void {
    if (!this.manifest.functions.has(functionKey)) throw new Error(`manifest.yml has no function ${functionKey}`);
    this.handlers.set(functionKey, handler);
  }

  private timeoutMs(functionKey: string): number {
    return (this.manifest.functions.get(functionKey)?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  }

  private call<T>(
    installation: Installation,
    moduleKey: string,
    functionKey: string,
    args: unknown[],
    caller: { accountId?: string; timeoutMs?: number; chain?: string; catchThrow?: boolean } = {},
  ) {
    let handler = this.handlers.get(functionKey);
    if (!handler) {
      handler = resolveHandler(this.manifest, functionKey);
      this.handlers.set(functionKey, handler);
    }
    return this.runtime.run(
      installation,
      moduleKey,
      caller.timeoutMs ?? this.timeoutMs(functionKey),
      async () => (await handler(...args)) as T,
      { accountId: caller.accountId, chain: caller.chain, catchThrow: caller.catchThrow },
    );
  }

  /**
   * A scheduled trigger: `({context:{cloudId, moduleKey}, contextToken}, {installContext, principal: undefined})`.
   * `timeoutMs` stands for a host that stops the function at another time than the manifest's (a frozen one,
   * or `forge tunnel`, which enforces none).
   */
  scheduledTrigger<T = unknown>(
    installation: Installation,
    moduleKey?: string,
    timeoutMs?: number,
  ): Promise<InvocationResult<T>> {
    const trigger = moduleKey
      ? this.manifest.scheduledTriggers.find((t) => t.key === moduleKey)
      : this.manifest.scheduledTriggers[0];
    if (!trigger) throw new Error(`manifest.yml has no scheduledTrigger ${moduleKey ?? ''}`);
    const request = {
      context: { cloudId: installation.cloudId, moduleKey: trigger.key },
      contextToken: 'local-context-token',
    };
    const context = {
      principal: undefined,
      installContext: installation.siteAri,
      installation: { ari: { installationId: installation.installationId }, contexts: [] },
    };
    return this.call<T>(installation, trigger.key, trigger.function, [request, context], { timeoutMs });
  }

  /** A product or lifecycle event delivered to a `trigger` module subscribed to it. */
  event<T = unknown>(
    installation: Installation,
    eventType: string,
    payload: Record<string, unknown>,
    opts: { catchThrow?: boolean } = {},
  ): Promise<InvocationResult<T>> {
    const trigger = this.manifest.triggers.find((t) => t.events.includes(eventType));
    if (!trigger) throw new Error(`No trigger module in manifest.yml subscribes to ${eventType}`);
    const context = { principal: undefined, installContext: installation.siteAri };
    return this.call<T>(installation, trigger.key, trigger.function, [{ eventType, ...payload }, context], {
      catchThrow: opts.catchThrow,
    });
  }

  /**
   * An async event delivered to the `consumer` module listening on its queue:
   * `(event, context)`, the event being what was pushed plus Forge's `jobId`,
   * `eventId` and, on a redelivery, `retryContext`; the context names the site.
   * `chain` is the pushing invocation's chain (the cyclic invocation limit). With
   * `catchThrow`, a throw resolves as `killed` with `threw` set instead of rejecting.
   */
  asyncEvent<T = unknown>(
    installation: Installation,
    queueName: string,
    event: Record<string, unknown>,
    chain?: string,
    opts: { catchThrow?: boolean } = {},
  ): Promise<InvocationResult<T>> {
    const consumer = this.manifest.consumers.find((c) => c.queue === queueName);
    if (!consumer) throw new Error(`No consumer module in manifest.yml listens on queue ${queueName}`);
    const context = {
      principal: undefined,
      installContext: installation.siteAri,
      installation: { ari: { installationId: installation.installationId }, contexts: [] },
    };
    return this.call<T>(installation, consumer.key, consumer.function, [event, context], {
      chain,
      catchThrow: opts.catchThrow,
    });
  }

  /**
   * The `avi:forge:installed:app` event in its documented shape (events-reference/life-cycle):
   * `id`, `installerAccountId?`, `app { id, version }`, `environment? { id }` and the site in
   * `context`, nothing more. The 'minimal' variant sends only the required fields; the site
   * is then known from the handler's `installContext` alone.
   */
  installed<T = unknown>(
    installation: Installation,
    appVersion = '1.0.0',
    opts: { catchThrow?: boolean } = {},
    /** A redelivery's `retryContext` (after an InvocationError), as Forge adds it to the event. */
    retryContext?: { retryCount: number; retryReason: string; retryData?: unknown },
  ): Promise<InvocationResult<T>> {
    const required = {
      id: installation.installationId,
      app: { id: 'local-app', version: appVersion },
      ...(retryContext ? { retryContext } : {}),
    };
    const payload =
      this.variants.installedEvent === 'minimal'
        ? required
        : {
            ...required,
            installerAccountId: 'local-installer',
            environment: { id: 'local' },
            context: installation.siteAri,
          };
    return this.event<T>(installation, 'avi:forge:installed:app', payload, opts);
  }

  /** A resolver call from a UI module's frontend (`invoke(functionKey, payload)` in @forge/bridge). */
  resolver<T = unknown>(
    installation: Installation,
    moduleKey: string,
    functionKey: string,
    payload: unknown,
    accountId: string | undefined,
    extraContext: Record<string, unknown> = {},
    timeoutOverrideMs?: number,
  ): Promise<InvocationResult<T>> {
    const mod = this.manifest.resolvers.find((r) => r.key === moduleKey);
    if (!mod) throw new Error(`No module "${moduleKey}" with a resolver in manifest.yml`);
    const request = {
      call: { functionKey, payload },
      context: {
        cloudId: installation.cloudId,
        moduleKey,
        localId: `${moduleKey}-local`,
        environmentType: 'DEVELOPMENT',
        extension: { type: mod.moduleType },
        ...extraContext,
      },
    };
    const backend = {
      installContext: installation.siteAri,
      principal: accountId ? { accountId } : undefined,
      installation: { ari: { installationId: installation.installationId }, contexts: [] },
    };
    // A UI module's resolver is stopped at 25 s whatever its function's own timeout says.
    const timeoutMs = timeoutOverrideMs ?? Math.min(this.timeoutMs(mod.function), RESOLVER_TIMEOUT_SECONDS * 1000);
    return this.call<T>(installation, moduleKey, mod.function, [request, backend], { accountId, timeoutMs });
  }
}
