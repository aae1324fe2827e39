import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../../application/app-config';
import { ReadinessRegistry } from '../../../application/health/readiness';
import { AccessRule } from '../common/access';
import { METRICS_REGISTRY, MetricsRegistry } from './metrics-registry';

@ApiExcludeController()
@AccessRule('public')
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @Inject(METRICS_REGISTRY) private readonly metrics: MetricsRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<{ status: string; checks: Record<string, unknown> }> {
    const { ok, checks } = await this.readiness.run();
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'not_ready', checks };
  }

  @Get('metrics')
  async metricsText(@Res() res: Response): Promise<void> {
    // With METRICS_PORT the metrics are on the internal port only: the public one does not know them.
    if (this.config.metricsPort !== null) throw new NotFoundException();
    res.type(this.metrics.contentType).send(await this.metrics.metrics());
  }
}
