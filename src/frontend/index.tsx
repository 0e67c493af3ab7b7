import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AdminPage } from './admin_page';
import './admin_page.css';

/** The Custom UI entry point (bundled by `npm run build:ui` into static/admin-page/build/). */
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AdminPage />
  </StrictMode>,
);
