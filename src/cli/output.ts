/** How a command talks to the operator: results on stdout (text or one JSON document), progress on stderr. */
export interface Output {
  json: boolean;
  /** The command's result: `render` for people, `data` for --json. */
  result(data: unknown, render: () => string): void;
  /** A progress line on stderr, at most every `everyMs` unless `final`. */
  progress(line: string, final?: boolean): void;
}

/** JSON cannot hold bigints (event store positions): they are printed as decimal strings. */
export const toJson = (data: unknown) => JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);

export function output(json: boolean, everyMs = 250): Output {
  let last = 0;
  return {
    json,
    result(data, render) {
      process.stdout.write(`${json ? toJson(data) : render()}\n`);
    },
    progress(line, final = false) {
      // Final lines (a heading, a last count) stand outside the cadence: the first step after a
      // heading is still shown.
      if (!final) {
        const now = Date.now();
        if (now - last < everyMs) return;
        last = now;
      }
      process.stderr.write(`${line}\n`);
    },
  };
}

/** Two aligned columns: `label   value`. */
export function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
