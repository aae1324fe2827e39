import { ConfigError, parseConfig } from '../../../src/infrastructure/config/config';

describe('PROJECTION_THREAD', () => {
  it('is worker unless set, and takes main', () => {
    expect(parseConfig({}).projectionThread).toBe('worker');
    expect(parseConfig({ PROJECTION_THREAD: 'main' }).projectionThread).toBe('main');
  });

  it('names the variable and the choices when the value is neither', () => {
    expect(() => parseConfig({ PROJECTION_THREAD: 'both' })).toThrow(
      new ConfigError('PROJECTION_THREAD', 'must be worker or main, got "both"'),
    );
  });
});
