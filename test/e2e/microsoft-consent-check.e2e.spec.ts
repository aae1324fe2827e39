import { CommandBus } from '@nestjs/cqrs';
import { CheckMicrosoftConsentsCommand } from '../../src/application/microsoft/commands';
import { MicrosoftHarness } from '../support/microsoft/microsoft-harness';

describe('the proactive consent check covers Microsoft 365 grants', () => {
  let h: MicrosoftHarness;
  beforeAll(async () => {
    h = await MicrosoftHarness.start();
  });
  afterAll(() => h.close());

  const check = () =>
    h.svc.running.app
      .get(CommandBus)
      .execute(new CheckMicrosoftConsentsCommand({ actor: 'system:microsoft-consent-check', correlationId: 'test' }));

  it('records a grant ended at Microsoft once; an unavailable token endpoint is no verdict', async () => {
    const kept = await h.provisioned();
    h.microsoft.decide({ kind: 'grant', account: 'kept@contoso-mail.test' });
    expect(await h.authorize(kept)).toEqual({ microsoft: 'authorized' });
    const lost = await h.provisioned();
    h.microsoft.decide({ kind: 'grant', account: 'lost@contoso-mail.test' });
    expect(await h.authorize(lost)).toEqual({ microsoft: 'authorized' });
    h.microsoft.decide({ kind: 'grant' });

    h.microsoft.revokeAt('lost@contoso-mail.test', 700082);
    const first = await check();
    expect(first).toMatchObject({ revoked: 1, failed: 0 });
    expect(first.checked).toBeGreaterThanOrEqual(2);
    const revoked = (await h.history(lost)).filter((e) => e.type === 'ConsentRevoked');
    expect(revoked.map((e) => [e.actor, e.detectedBy, e.causationId, e.data.provider, e.data.reason])).toEqual([
      ['system', 'consent-check', 'test', 'microsoft', 'revoked_at_provider'],
    ]);
    expect(await h.view(lost)).toMatchObject({ mode: 'default', microsoft: { status: 'revoked' } });

    h.microsoft.fail('token', { status: 503, times: 100 });
    const second = await check();
    h.microsoft.fail('token', { status: 503, times: 0 });
    expect(second).toMatchObject({ revoked: 0 });
    expect(second.failed).toBeGreaterThanOrEqual(1);
    expect(await h.view(kept)).toMatchObject({ mode: 'microsoft', microsoft: { status: 'authorized' } });
    expect((await h.history(lost)).filter((e) => e.type === 'ConsentRevoked')).toHaveLength(1);
  });
});
