/**
 * The handlers manifest.yml names, and nothing else. Each Forge `function`
 * module points at one export here (`index.<export>`).
 */
export { phase5SchedulerHandler } from './scheduled/phase5_scheduler';
export { installedEventHandler } from './phase4/installation_evidence';
export { adminPageResolver } from './admin/admin_resolver';
export { personalDataReportHandler } from './privacy/personal_data_report';
