import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DashboardPages } from '../../../../src/interfaces/http/dashboard/page/dashboard-pages';
import { WebFolder } from '../../../../src/interfaces/http/dashboard/page/web-folder';

describe('web folder', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'web-'));
    mkdirSync(join(root, 'page'));
    writeFileSync(join(root, 'page', 'page.html'), '<p title="{{title}}">{{message}}</p>');
    writeFileSync(join(root, 'page', 'page.js'), "'use strict';");
    writeFileSync(join(root, 'page', 'page.css'), 'p { color: red; }');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('escapes every value it puts into a page', () => {
    const folder = WebFolder.load('page', root);
    expect(folder.page('page.html', { title: `"><script>alert(1)</script>`, message: `<b>Tom & Jerry's</b>` })).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&lt;b&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;</p>',
    );
  });

  it('refuses a placeholder without a value and a value without a placeholder', () => {
    const folder = WebFolder.load('page', root);
    expect(() => folder.page('page.html', { title: 't' })).toThrow('page.html: no value for {{message}}');
    expect(() => folder.page('page.html', { title: 't', message: 'm', extra: 'x' })).toThrow(
      'page.html: no placeholder for extra',
    );
  });

  it('serves scripts and stylesheets by name, never a page or a path', () => {
    const folder = WebFolder.load('page', root);
    expect(folder.asset('page.js')).toEqual({ type: 'text/javascript', body: "'use strict';" });
    expect(folder.asset('page.css')).toEqual({ type: 'text/css', body: 'p { color: red; }' });
    expect([folder.asset('page.html'), folder.asset('../page/page.js'), folder.asset('missing.js')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('stops start-up when its folder is missing', () => {
    expect(() => WebFolder.load('nowhere', root)).toThrow(/web files not found in .*nowhere/);
  });

  it('renders the dashboard’s real sign-in page with its message and no placeholder left', () => {
    const pages = DashboardPages.load();
    expect(pages.signIn(403)).toContain(
      '<p id="sign-in-message" role="alert">This token does not give access to the support dashboard.',
    );
    expect(pages.signIn(401)).toContain('Sign in with the support token to see the dashboard.');
    expect([pages.signIn(401), pages.signIn(403), pages.dashboard].join('')).not.toMatch(/\{\{|\}\}/);
  });
});
