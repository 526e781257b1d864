/** The README's per-context API table, written from contexts.ts (so the two cannot differ). */
import { API_RULES } from './contexts';

export function apiTableMarkdown(): string {
  const rows = Object.entries(API_RULES).map(([name, rule]) => {
    const plugin =
      rule.plugin === false
        ? 'no'
        : `${rule.plugin}+${rule.pluginPagesOnly ? ', plugin pages only' : ''}${rule.pluginNeedsAuthorization ? ', fails until the user authorises' : ''}`;
    const host = rule.pluginOnly ? 'no' : `${rule.since}+`;
    const functionalPage = rule.notInFunctionalPages ? 'no' : host;
    return `| \`${name}\` | ${host} | ${functionalPage} | ${plugin} | ${rule.doc} |`;
  });
  return [
    '| API | host | functional page | plugin | documentation |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
