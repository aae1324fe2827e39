import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('the container starts the service as npm start does', () => {
  it('passes the same Node flags to dist/main.js', () => {
    const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start as string;
    const npmArgs = start.split(/\s+/);
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'))?.[1];
    expect(cmd).toBeDefined();
    expect(JSON.parse(cmd!)).toEqual(npmArgs);
    expect(npmArgs.at(-1)).toBe('dist/main.js');
  });
});
