/**
 * Jest reporter: after the run, prints the reliability suite's table (cases tried / held per
 * group, and on which databases) from the counts test/reliability/tally.ts wrote. Also writes it
 * as Markdown to .cache/reliability/table.md, which is what the README's table is copied from.
 */
const fs = require('node:fs');
const path = require('node:path');

const DIR = path.join(__dirname, '..', '..', '.cache', 'reliability');
const ORDER = [
  'notifications',
  'faults',
  'crashes',
  'concurrency',
  'bad input',
  'access',
  'secrets',
  'instances',
];

class ReliabilityReporter {
  constructor() {
    // Test workers inherit this: each run's counts go to a folder of their own, so two runs at
    // once (a developer's and an editor's) never mix or delete each other's counts.
    this.runId = `${process.pid}-${Date.now()}`;
    process.env.RELIABILITY_RUN_ID = this.runId;
  }

  onRunComplete() {
    const runDir = path.join(DIR, 'runs', this.runId);
    let files = [];
    try {
      files = fs.readdirSync(runDir).filter((f) => f.endsWith('.json'));
    } catch {
      return;
    }
    if (files.length === 0) return;
    const groups = new Map();
    for (const f of files) {
      const t = JSON.parse(fs.readFileSync(path.join(runDir, f), 'utf8'));
      const g = groups.get(t.group) ?? { tried: 0, held: 0, databases: new Set(), failed: [] };
      g.tried += t.tried;
      g.held += t.held;
      if (t.database !== '-') g.databases.add(t.database);
      g.failed.push(...t.failed);
      groups.set(t.group, g);
    }
    const rows = [...groups.entries()].sort(([a], [b]) => ORDER.indexOf(a) - ORDER.indexOf(b));
    const lines = [
      '| group | cases tried | held | databases |',
      '| --- | ---: | ---: | --- |',
      ...rows.map(
        ([name, g]) =>
          `| ${name} | ${g.tried} | ${g.held} | ${[...g.databases].sort().join(', ') || '—'} |`,
      ),
    ];
    fs.writeFileSync(path.join(DIR, 'table.md'), `${lines.join('\n')}\n`);
    fs.rmSync(runDir, { recursive: true, force: true });
    const failed = rows.flatMap(([name, g]) => g.failed.map((c) => `  ✗ ${name}: ${c}`));
    process.stdout.write(
      `\nReliability suite (test/reliability/):\n${lines.join('\n')}\n${failed.join('\n')}${failed.length ? '\n' : ''}`,
    );
  }
}

module.exports = ReliabilityReporter;
