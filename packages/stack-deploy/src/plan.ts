/** A change set as rows and as markdown for a pull-request comment. */
import type { Change } from '@aws-sdk/client-cloudformation';

export interface ChangeRow {
  action: string;
  logicalId: string;
  type: string;
  /** True, False, Conditional, or '' when not applicable (Add/Remove). */
  replacement: string;
}

/** The resource changes of a change set, nested change sets' ids prefixed. */
export function changeRows(changes: readonly Change[] | undefined): ChangeRow[] {
  return (changes ?? []).flatMap((change) => {
    const resource = change.ResourceChange;
    if (!resource) return [];
    return [
      {
        action: resource.Action ?? '?',
        logicalId: resource.LogicalResourceId ?? '?',
        type: resource.ResourceType ?? '?',
        replacement: resource.Action === 'Modify' ? (resource.Replacement ?? '') : '',
      },
    ];
  });
}

/** Escapes a markdown table cell. */
function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown summary of a planned deploy. */
export function planMarkdown(plan: {
  stackName: string;
  changeSetName?: string | undefined;
  changeSetType: 'CREATE' | 'UPDATE';
  rows: readonly ChangeRow[];
  noChanges: boolean;
  parameters?: Readonly<Record<string, string>>;
}): string {
  const lines = [
    `### CloudFormation ${plan.changeSetType === 'CREATE' ? 'create' : 'update'} plan for \`${plan.stackName}\``,
    '',
  ];
  if (plan.changeSetName) lines.push(`Change set: \`${plan.changeSetName}\``, '');
  if (plan.noChanges) {
    lines.push('No changes.');
    return lines.join('\n');
  }
  if (plan.rows.length === 0) {
    lines.push('No resource changes (parameters, tags or outputs only).');
  } else {
    const counts = new Map<string, number>();
    for (const row of plan.rows) counts.set(row.action, (counts.get(row.action) ?? 0) + 1);
    lines.push([...counts].map(([action, count]) => `${count} to ${action.toLowerCase()}`).join(', '), '');
    lines.push('| Action | Logical id | Type | Replacement |', '| --- | --- | --- | --- |');
    for (const row of plan.rows) {
      lines.push(`| ${[row.action, row.logicalId, row.type, row.replacement || '-'].map(mdCell).join(' | ')} |`);
    }
  }
  return lines.join('\n');
}
