import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { APP_ROOT } from '../../local/runtime/invoker';

/**
 * Every colour the admin page sets itself is a design token, so Jira's theme
 * (light, dark, whatever comes next) reaches all of it. A literal colour in
 * the page's own CSS or components would stay light in the dark theme.
 */

const FRONTEND = path.join(APP_ROOT, 'src', 'frontend');
const COLOUR_LITERAL = /#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?)\(|\b(?:white|black)\b(?!-)/;

describe("the admin page's own styles", () => {
  const files = readdirSync(FRONTEND).filter((f) => /\.(css|tsx?)$/.test(f));

  it("covers the page's stylesheet and components", () => {
    expect(files).toEqual(expect.arrayContaining(['admin_page.css', 'admin_page.tsx', 'confirm_dialog.tsx']));
  });

  it.each(files)('%s names no colour except through a design token', (file) => {
    const source = readFileSync(path.join(FRONTEND, file), 'utf8')
      // Comments may talk about colours.
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const offending = source.split('\n').filter((line) => COLOUR_LITERAL.test(line));
    expect(offending).toEqual([]);
  });

  it("uses colours from the token set, as CSS variables Jira's theme defines", () => {
    const css = readFileSync(path.join(FRONTEND, 'admin_page.css'), 'utf8');
    const colourDeclarations = css.match(/^\s*(?:color|background|border[\w-]*|box-shadow|outline):[^;]+;/gm) ?? [];
    expect(colourDeclarations.length).toBeGreaterThan(5);
    for (const declaration of colourDeclarations) expect(declaration).toMatch(/var\(--ds-/);
  });
});
