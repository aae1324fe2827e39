import { ConfigError, parseConfig } from '../../../src/infrastructure/config/config';

describe('SUPPORT_SESSION_IDLE', () => {
  it('is 30 minutes unless set, and takes seconds from a minute to the sessions’ 8 hours', () => {
    expect(parseConfig({}).supportSessionIdleSeconds).toBe(1800);
    expect(parseConfig({ SUPPORT_SESSION_IDLE: '60' }).supportSessionIdleSeconds).toBe(60);
    expect(parseConfig({ SUPPORT_SESSION_IDLE: '28800' }).supportSessionIdleSeconds).toBe(28_800);
  });

  it.each(['59', '28801', '30m', '-1', '1.5'])('refuses %s, naming the variable and the range', (raw) => {
    expect(() => parseConfig({ SUPPORT_SESSION_IDLE: raw })).toThrow(
      new ConfigError('SUPPORT_SESSION_IDLE', `must be a number of seconds from 60 to 28800, got "${raw}"`),
    );
  });
});
