import { type WebAsset, WebFolder } from '../dashboard/page/web-folder';

/** The settings page's files from src/interfaces/web/settings, read once at start-up. */
export class SettingsPages {
  private constructor(
    private readonly folder: WebFolder,
    readonly mail: string,
    readonly ended: string,
    private readonly expiredPage: (back: string | null) => string,
  ) {}

  static load(folder = WebFolder.load('settings')): SettingsPages {
    // Render both variants once, so a missing placeholder stops start-up instead of a request.
    const withBack = (href: string) =>
      folder.page('link-expired.html', { backLink: 'Back to the application', backHref: href, backHidden: '' });
    const withoutBack = folder.page('link-expired.html', { backLink: '', backHref: '#', backHidden: 'hidden' });
    withBack('#');
    return new SettingsPages(folder, folder.page('mail.html'), folder.page('session-ended.html'), (back) =>
      back ? withBack(back) : withoutBack,
    );
  }

  /** A used or expired link; `back` (the main application's page, when the link named one) leads back. */
  expired(back: string | null): string {
    return this.expiredPage(back);
  }

  asset(file: string): WebAsset | undefined {
    return this.folder.asset(file);
  }
}
