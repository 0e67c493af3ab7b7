/**
 * The personal-data report's function (`personal-data-report-fn` in manifest.yml):
 * its own scheduled trigger and its own bundle, so the scheduler's tick neither
 * carries nor pays for it.
 */
export { personalDataReportHandler } from './privacy/personal_data_report';
