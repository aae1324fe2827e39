import { type WebAsset, WebFolder } from './web-folder';

const SIGN_IN_MESSAGES = {
  401: 'Sign in with the support token to see the dashboard.',
  403: 'This token does not give access to the support dashboard. Sign in with the support token.',
} as const;

const COMPANY_SIGN_IN_MESSAGES = {
  401: 'Sign in to see the dashboard.',
  403:
    'This token does not give access to the support dashboard. ' +
    'Sign in with your company account or the support token.',
} as const;

export type SignInStatus = keyof typeof SIGN_IN_MESSAGES;

// The "Sign in with <company>" part of sign-in.html, cut out when company sign-in is not configured.
const COMPANY_BLOCK = /<!-- company-sign-in -->[\s\S]*?<!-- \/company-sign-in -->\s*/;

/** The support page's files from src/interfaces/web/dashboard, rendered once: requests only pick one. */
export class DashboardPages {
  private readonly signIns: Readonly<Record<SignInStatus, string>>;

  private constructor(
    private readonly folder: WebFolder,
    readonly dashboard: string,
    /** The name on the "Sign in with …" link, or null when only the support token signs in. */
    private readonly company: string | null,
  ) {
    const messages = company ? COMPANY_SIGN_IN_MESSAGES : SIGN_IN_MESSAGES;
    this.signIns = { 401: this.signInWith(messages[401]), 403: this.signInWith(messages[403]) };
  }

  static load(company: string | null = null, folder = WebFolder.load('dashboard')): DashboardPages {
    return new DashboardPages(folder, folder.page('dashboard.html'), company);
  }

  /** Shown with 401 (no or unknown token) or 403 (a token that is not support's). */
  signIn(status: SignInStatus): string {
    return this.signIns[status];
  }

  /** The sign-in form with a message of the moment (a refused or failed company sign-in), HTML-escaped. */
  signInWith(message: string): string {
    const page = this.folder.page('sign-in.html', { message, company: this.company ?? '' });
    return this.company ? page : page.replace(COMPANY_BLOCK, '');
  }

  /** After a company sign-in: moves on to the dashboard from this origin, so the SameSite=Strict cookie goes along. */
  get signedIn(): string {
    return this.folder.page('signed-in.html');
  }

  asset(file: string): WebAsset | undefined {
    return this.folder.asset(file);
  }
}

const loaded = new Map<string | null, DashboardPages>();

/**
 * Shared by the page controllers and the sign-in filter, which Nest builds separately; one per
 * company name, since services with different configurations may share a process (tests).
 */
export function dashboardPages(company: string | null = null): DashboardPages {
  let pages = loaded.get(company);
  if (!pages) loaded.set(company, (pages = DashboardPages.load(company)));
  return pages;
}
