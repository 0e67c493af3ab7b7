/**
 * The wake-up consumer's function (`phase5-wake-up-fn` in manifest.yml): the
 * scheduler's path, entered from an async event instead of a tick.
 */
export { phase5WakeUpHandler } from './scheduled/phase5_scheduler';
