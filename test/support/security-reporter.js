/* global module, process */
/**
 * The closing line of a run that included the security review (issue #18): how many of its items
 * are proven by at least one passing test, counted from describe titles that start with
 * `item N:` (any tier: test/security, or test/e2e where a process is needed). An item without a
 * passing test is named, so a green run cannot hide one that nothing proves any more.
 */
const ITEMS = 12;
const TITLE = /^item (\d+):/;

class SecurityReviewReporter {
  onRunComplete(_contexts, results) {
    const passing = new Map();
    let seen = false;
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        const match = test.ancestorTitles.map((t) => TITLE.exec(t)).find(Boolean);
        if (!match) continue;
        seen = true;
        const item = Number(match[1]);
        if (test.status === 'passed') passing.set(item, (passing.get(item) ?? 0) + 1);
        else if (!passing.has(item)) passing.set(item, 0);
      }
    }
    if (!seen) return;
    const all = Array.from({ length: ITEMS }, (_, i) => i + 1);
    const proven = all.filter((item) => (passing.get(item) ?? 0) > 0);
    const missing = all.filter((item) => !proven.includes(item));
    const total = proven.reduce((sum, item) => sum + passing.get(item), 0);
    const counts = proven.map((item) => `item ${item}: ${passing.get(item)}`).join(', ');
    const lines = [`security review: ${proven.length} of ${ITEMS} items proven by ${total} passing tests (${counts})`];
    if (missing.length > 0)
      lines.push(`security review: no passing test for ${missing.map((i) => `item ${i}`).join(', ')}`);
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}

module.exports = SecurityReviewReporter;
