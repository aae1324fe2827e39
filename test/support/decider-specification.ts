/** What a decider is, structurally: the domain exports such a value and knows nothing of this helper. */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** A pattern the thrown error must match (Jest's toMatchObject): its name, code, field… */
export type ErrorPattern = Readonly<Record<string, unknown>>;

/**
 * DeciderSpecification.for(decider).given(events).when(command).then(events | error): the state is
 * folded from the given events with the decider's own evolve, so a spec reads like the rule it checks.
 * `then([])` expects no event; `then(pattern)` expects the decide call to throw a matching error.
 */
export const DeciderSpecification = {
  for<Command, Event, State>(decider: Decider<Command, Event, State>) {
    return {
      given(events: readonly Event[]) {
        return {
          when(command: Command) {
            const run = () =>
              decider.decide(
                command,
                events.reduce((state, event) => decider.evolve(state, event), decider.initialState()),
              );
            return {
              then(expected: readonly Event[] | ErrorPattern): void {
                if (Array.isArray(expected)) {
                  expect(run()).toEqual(expected);
                  return;
                }
                let decided: Event[];
                try {
                  decided = run();
                } catch (error) {
                  expect(error).toMatchObject(expected);
                  return;
                }
                throw new Error(
                  `expected an error matching ${JSON.stringify(expected)}, but decided ${JSON.stringify(decided)}`,
                );
              },
            };
          },
        };
      },
    };
  },
};
