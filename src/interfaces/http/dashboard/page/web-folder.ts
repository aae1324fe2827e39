import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

/**
 * The pages' static files: src/interfaces/web when the sources run (Jest, swc), dist/interfaces/web
 * once built (`npm run build` copies the folder next to the compiled code), so one relative path
 * finds them in both.
 */
export const WEB_ROOT = resolve(__dirname, '../../../web');

/** What a browser may fetch by name; pages are rendered by their controller, never served raw. */
const ASSET_TYPES: Readonly<Record<string, string>> = { '.js': 'text/javascript', '.css': 'text/css' };

export interface WebAsset {
  readonly type: string;
  readonly body: string;
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/**
 * One folder of src/interfaces/web, read once when the service starts: a missing file stops
 * start-up instead of failing a request later, and requests never touch the disk.
 */
export class WebFolder {
  private constructor(
    readonly dir: string,
    private readonly files: ReadonlyMap<string, string>,
  ) {}

  static load(name: string, root = WEB_ROOT): WebFolder {
    const dir = join(root, name);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      throw new Error(`web files not found in ${dir} (does the build copy src/interfaces/web?): ${String(error)}`);
    }
    return new WebFolder(dir, new Map(names.map((file) => [file, readFileSync(join(dir, file), 'utf8')])));
  }

  /** A script or stylesheet by file name; undefined for anything else, so only those are served. */
  asset(file: string): WebAsset | undefined {
    const type = ASSET_TYPES[extname(file)];
    const body = this.files.get(file);
    return type && body !== undefined ? { type, body } : undefined;
  }

  /**
   * An HTML page with its {{name}} placeholders replaced by HTML-escaped values. Every placeholder
   * must get a value and every value must have a placeholder, so a typo fails at start-up.
   */
  page(file: string, values: Readonly<Record<string, string>> = {}): string {
    const html = this.files.get(file);
    if (html === undefined || extname(file) !== '.html') throw new Error(`no page ${file} in ${this.dir}`);
    const unused = new Set(Object.keys(values));
    const filled = html.replace(/\{\{(\w+)\}\}/g, (_match, key: string) => {
      if (!Object.hasOwn(values, key)) throw new Error(`${file}: no value for {{${key}}}`);
      unused.delete(key);
      return escapeHtml(values[key]);
    });
    if (unused.size > 0) throw new Error(`${file}: no placeholder for ${[...unused].join(', ')}`);
    return filled;
  }
}
