import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { APP_ROOT } from '../../local/runtime/invoker';

/**
 * The open report as the admin page renders it, to HTML, in Node: the real
 * report_view.tsx with the real design-system components, bundled the way
 * `npm run build:ui` bundles the page (esbuild, the stylesheets left out, as
 * markup does not need them) and rendered with React's server renderer. Jest
 * cannot load the design system's CSS imports itself, hence the bundle.
 *
 * Rendering runs no effects, so the Forge bridge is never called; the bridge
 * module still looks for a host when it loads, and finds one that answers
 * nothing, as a host without context would.
 */

export interface RenderedReport {
  html: string;
  /** What a reader sees: the markup's text, one space between runs. */
  text: string;
}

type Language = 'en-US' | 'de-DE';
type Render = (report: unknown, viewer: { locale: string; timeZone: string }, language: Language) => string;

let render: Render | null = null;

function load(): Render {
  if (render) return render;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'report-view-'));
  try {
    const entry = path.join(dir, 'entry.tsx');
    const src = (file: string) => JSON.stringify(path.join(APP_ROOT, 'src', 'frontend', file));
    const locale = (language: Language) => JSON.stringify(path.join(APP_ROOT, 'locales', `${language}.json`));
    // The page's words are the app's translations, as index.tsx gives them to the page and the report.
    writeFileSync(
      entry,
      `import { renderToStaticMarkup } from 'react-dom/server';
       import { ReportView } from ${src('report_view')};
       import { setReportWords } from ${src('report_words')};
       import { PresentationProvider } from ${src('viewer_context')};
       import en from ${locale('en-US')};
       import de from ${locale('de-DE')};
       const TABLES = { 'en-US': en, 'de-DE': de };
       export function render(report, viewer, language) {
         const lookup = (key) => TABLES[language][key] ?? null;
         setReportWords(lookup);
         return renderToStaticMarkup(
           <PresentationProvider value={{ viewer, now: '2026-11-03T12:00:00.000Z', people: {}, lookup }}>
             <ReportView open={{ key: 'report', report, openedAt: 1 }} onClose={() => {}} />
           </PresentationProvider>,
         );
       }`,
    );
    const out = path.join(dir, 'render.js');
    buildSync({
      entryPoints: [entry],
      bundle: true,
      outfile: out,
      platform: 'node',
      format: 'cjs',
      jsx: 'automatic',
      loader: { '.css': 'empty' },
      define: { 'process.env.NODE_ENV': '"production"' },
      nodePaths: [path.join(APP_ROOT, 'node_modules')],
      logLevel: 'error',
    });
    const host = globalThis as { __bridge?: unknown };
    host.__bridge ??= { callBridge: () => Promise.reject(new Error('no Forge host in this test')) };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    render = (require(out) as { render: Render }).render;
    return render;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rendered for `viewer` (numbers, dates), in `language` (the words; English unless said). */
export function renderReport(
  report: unknown,
  viewer = { locale: 'en-US', timeZone: 'UTC' },
  language: Language = 'en-US',
): RenderedReport {
  const html = load()(report, viewer, language);
  const text = html
    // Emotion writes the design system's styles inline, as <style> elements: not text anyone reads.
    .replace(/<style[^>]*>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
  return { html, text };
}
