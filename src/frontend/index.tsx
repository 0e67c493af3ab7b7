import '@atlaskit/css-reset';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { view } from '@forge/bridge';
import { AdminPage } from './admin_page';
import './admin_page.css';

/**
 * The Custom UI entry point (bundled by `npm run build:ui` into static/admin-page/build/).
 * `view.theme.enable()` asks the host (Jira) for its theme, applies it to this frame and
 * keeps it in step when the admin switches between light and dark. The page renders at
 * once: a host without theming still shows it, in the tokens' light values.
 */
view.theme.enable().catch((err: unknown) => console.warn('Theming is not available in this host:', err));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AdminPage />
  </StrictMode>,
);
