import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PluginKind, declareClassPlugin } from '@stryker-mutator/api/plugin';

/**
 * A Stryker reporter for `npm run mutate`: every mutant that survives, or that no
 * test reaches, is appended to reports/mutation/survivors.log the moment it is
 * known, one line each (`file:line:column Status Mutator: original -> replacement`,
 * the form `npm run mutate:score` prints). A full run takes over an hour; this
 * lets a developer start on the first file's survivors while the rest still run.
 */
const LOG = path.join('reports', 'mutation', 'survivors.log');

const oneLine = (s) => s.replace(/\s+/g, ' ').trim();

class SurvivorLog {
  sources = new Map();

  onMutationTestingPlanReady() {
    mkdirSync(path.dirname(LOG), { recursive: true });
    appendFileSync(LOG, `# run started ${new Date().toISOString()}\n`);
  }

  onMutantTested(result) {
    if (result.status !== 'Survived' && result.status !== 'NoCoverage') return;
    const file = path.relative(process.cwd(), path.resolve(result.fileName));
    const { start, end } = result.location;
    let original = '?';
    try {
      if (!this.sources.has(file)) this.sources.set(file, readFileSync(file, 'utf8').split('\n'));
      const lines = this.sources.get(file);
      // Locations here are as in the JSON report: lines and columns count from 1.
      const [l0, c0, l1, c1] = [start.line - 1, start.column - 1, end.line - 1, end.column - 1];
      original =
        l0 === l1
          ? lines[l0].slice(c0, c1)
          : [lines[l0].slice(c0), ...lines.slice(l0 + 1, l1), lines[l1].slice(0, c1)].join('\n');
    } catch {
      // The line still names the place.
    }
    appendFileSync(
      LOG,
      `${file}:${start.line}:${start.column} ${result.status} ${result.mutatorName}: ${oneLine(original)} -> ${oneLine(result.replacement ?? '')}\n`,
    );
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, 'survivor-log', SurvivorLog)];
