import { type WebAsset, WebFolder } from './web-folder';

const SIGN_IN_MESSAGES = {
  401: 'Sign in with the support token to see the dashboard.',
  403: 'This token does not give access to the support dashboard. Sign in with the support token.',
} as const;

export type SignInStatus = keyof typeof SIGN_IN_MESSAGES;

/** The support page's files from src/interfaces/web/dashboard, rendered once: requests only pick one. */
export class DashboardPages {
  private constructor(
    private readonly folder: WebFolder,
    readonly dashboard: string,
    private readonly signIns: Readonly<Record<SignInStatus, string>>,
  ) {}

  static load(folder = WebFolder.load('dashboard')): DashboardPages {
    return new DashboardPages(folder, folder.page('dashboard.html'), {
      401: folder.page('sign-in.html', { message: SIGN_IN_MESSAGES[401] }),
      403: folder.page('sign-in.html', { message: SIGN_IN_MESSAGES[403] }),
    });
  }

  /** Shown with 401 (no or unknown token) or 403 (a token that is not support's). */
  signIn(status: SignInStatus): string {
    return this.signIns[status];
  }

  asset(file: string): WebAsset | undefined {
    return this.folder.asset(file);
  }
}

let loaded: DashboardPages | undefined;

/** Shared by the page controller and the sign-in filter, which Nest builds separately. */
export function dashboardPages(): DashboardPages {
  return (loaded ??= DashboardPages.load());
}
