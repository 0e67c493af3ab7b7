/**
 * The scheduled trigger's function (`phase5-scheduler-fn` in manifest.yml). One
 * entry file per Forge function: the bundler follows imports from here only, so
 * this bundle, loaded on every tick, carries the scheduler and nothing of the
 * admin page.
 */
export { phase5SchedulerHandler } from './scheduled/phase5_scheduler';
