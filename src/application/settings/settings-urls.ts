/** Paths of the settings page on PUBLIC_URL; the HTTP routes and the links agree through these. */
export const SETTINGS_PATHS = {
  /** Opening a link: the token is in the query, which the request log leaves out. */
  open: '/settings/open',
  page: '/settings/mail',
} as const;

export function settingsLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}${SETTINGS_PATHS.open}?link=${encodeURIComponent(token)}`;
}

/** Where a consent round trip started on the page comes back to (the outcome is added to the query). */
export function settingsPageUrl(publicUrl: string): string {
  return `${publicUrl}${SETTINGS_PATHS.page}`;
}
