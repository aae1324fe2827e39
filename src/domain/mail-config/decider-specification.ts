import { type MailConfigCommand } from './mail-config.commands';
import { decide, fold } from './mail-config.decider';
import { type MailConfigErrorCode } from './mail-config.errors';
import { type MailConfigEvent } from './mail-config.events';

/** given(events).when(command).then(events) | .thenFails(code): specs read like the rules they check. */
export function given(events: MailConfigEvent[]) {
  return {
    when(command: MailConfigCommand) {
      const run = () => decide(command, fold(events));
      return {
        then(expected: MailConfigEvent[]) {
          expect(run()).toEqual(expected);
        },
        thenNothing() {
          expect(run()).toEqual([]);
        },
        thenFails(code: MailConfigErrorCode, field?: string) {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toMatchObject({ name: 'MailConfigError', code, ...(field ? { field } : {}) });
        },
      };
    },
  };
}
