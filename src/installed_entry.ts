/** The installed lifecycle event's function (`phase4-installed-fn` in manifest.yml). */
export { installedEventHandler } from './phase4/installation_evidence';
