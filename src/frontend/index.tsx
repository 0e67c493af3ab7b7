import '@atlaskit/css-reset';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { view } from '@forge/bridge';
import { AdminPage } from './admin_page';
import { ConfirmDialog } from './confirm_dialog';
import { CONFIRM_CONTEXT, isConfirmRequest } from './confirm_request';
import { formattingLocale, loadTranslations } from './i18n';
import { viewerFrom } from './local_time';
import { setReportWords } from './report_words';
import { PresentationProvider } from './viewer_context';
import './admin_page.css';

/**
 * The Custom UI entry point (bundled by `npm run build:ui` into static/admin-page/build/).
 * `view.theme.enable()` asks the host (Jira) for its theme, applies it to this frame and
 * keeps it in step when the admin switches between light and dark. The viewer's locale
 * and time zone come from the Forge context, and the page's words in that language from
 * the translations shipped with the app. Opened by the page as a Forge modal (its context
 * then carries what to confirm), the same bundle shows that confirmation instead.
 */
view.theme.enable().catch((err: unknown) => console.warn('Theming is not available in this host:', err));

const root = createRoot(document.getElementById('root')!);

async function start() {
  const browser = { locale: navigator.language, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone };
  const context = await view.getContext().catch(() => ({}) as Awaited<ReturnType<typeof view.getContext>>);
  const viewer = viewerFrom(context, browser);
  const translations = await loadTranslations(viewer.locale);
  // Dates and numbers in the language of the words, in the viewer's own variant of it where it is theirs.
  const shown = { ...viewer, locale: formattingLocale(viewer.locale, translations.locale) };
  setReportWords(translations.lookup);
  document.documentElement.lang = translations.locale;
  document.title = translations.lookup('page.title') ?? document.title;
  const request: unknown = (context.extension as { modal?: Record<string, unknown> } | undefined)?.modal?.[
    CONFIRM_CONTEXT
  ];
  root.render(
    <StrictMode>
      {isConfirmRequest(request) ? (
        <PresentationProvider value={{ viewer: shown, now: request.now, people: {}, lookup: translations.lookup }}>
          <ConfirmDialog request={request} />
        </PresentationProvider>
      ) : (
        <AdminPage viewer={shown} lookup={translations.lookup} />
      )}
    </StrictMode>,
  );
}

start().catch((err: unknown) => {
  // Without its translations the page has no words: say so in its default language, English.
  console.error('The page could not start:', err);
  root.render(
    <main className="page" lang="en">
      <h1>Site reports</h1>
      <p>The page could not load its words. Reload it; if this persists, contact the app&apos;s vendor.</p>
    </main>,
  );
});
