/**
 * Every Settings section, in the order of the Settings menu: one line each. A section is a
 * component that renders its content under the heading the page gives it (an `h2` of its title),
 * at /settings/<path>. The first one is also what /settings shows.
 */
import type { ComponentType } from 'react';
import { ApiKeysSettings } from './ApiKeysSettings';
import { AuditLog } from './AuditLog';
import { AutomationsSettings } from './AutomationsSettings';
import { CustomFieldsSettings } from './CustomFields';
import { DeletedRecords } from './DeletedRecords';
import { FormsSettings } from './FormsSettings';
import { LostReasonsSettings } from './LostReasons';
import { MembersSettings } from './MembersSettings';
import { PipelinesSettings } from './PipelinesSettings';
import { ProfileSettings } from './ProfileSettings';
import { RequiredFieldsSettings } from './RequiredFieldsSettings';
import { WebhooksSettings } from './WebhooksSettings';
import { WorkspaceSettings } from './WorkspaceSettings';

export type SettingsSection = {
  /** The URL segment: /settings/<path>. */
  path: string;
  /** The menu link's name and the section's heading. */
  title: string;
  component: ComponentType;
  /** The person's own settings: anyone changes theirs, so no "only admins" note. */
  personal?: boolean;
};

export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  { path: 'workspace', title: 'Workspace', component: WorkspaceSettings },
  { path: 'profile', title: 'Your profile', component: ProfileSettings, personal: true },
  { path: 'members', title: 'Members', component: MembersSettings },
  { path: 'pipelines', title: 'Pipelines', component: PipelinesSettings },
  { path: 'required-fields', title: 'Required fields', component: RequiredFieldsSettings },
  { path: 'custom-fields', title: 'Custom fields', component: CustomFieldsSettings },
  { path: 'lost-reasons', title: 'Lost reasons', component: LostReasonsSettings },
  { path: 'automations', title: 'Automations', component: AutomationsSettings },
  { path: 'forms', title: 'Forms', component: FormsSettings },
  { path: 'api-keys', title: 'API keys', component: ApiKeysSettings },
  { path: 'webhooks', title: 'Webhooks', component: WebhooksSettings },
  { path: 'audit-log', title: 'Audit log', component: AuditLog },
  { path: 'deleted-records', title: 'Deleted records', component: DeletedRecords },
];
