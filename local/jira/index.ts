/** The emulated Jira Cloud site: generation, the REST emulator, and the test seam. */
export { generateSite, JiraSite, SITE_PRESETS, DEFAULT_CALIBRATED_AT } from './site';
export type { SiteSpec, SitePreset, SiteOptions, SiteProject, SiteField, SiteIssue, SiteIssueType } from './site';
export { JiraEmulator } from './emulator';
export type { JiraEmulatorOptions, JiraFaults, JiraCallDescriptor, JiraRequestInit, JiraLogEntry } from './emulator';
export type { JiraDataset } from './faults';
export { installJiraOnly } from './install';
export { compileJql } from './jql_query';
export { JqlError } from './jql_parser';
export type { IssueQuery, TimeRange } from './issue_timeline';
