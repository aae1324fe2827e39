import { ArgumentsHost, Catch, ExceptionFilter, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../../application/app-config';
import type { Response } from 'express';
import { ProblemException } from '../common/problem';
import { ProblemFilter } from '../common/problem.filter';
import { dashboardPages } from './page/dashboard-pages';
import { setPageHeaders } from './page-headers';

/**
 * On the page route, the guard's 401/403 become the sign-in form (with the same status), since a
 * browser shows HTML, not problem+json. Every other error keeps the service's problem answer.
 */
@Catch()
@Injectable()
export class SignInPageFilter implements ExceptionFilter {
  private readonly problems = new ProblemFilter();
  private readonly pages: ReturnType<typeof dashboardPages>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pages = dashboardPages(config.supportOidc?.displayName ?? null);
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const status = error instanceof ProblemException ? error.problem.status : 0;
    if (status !== 401 && status !== 403) return this.problems.catch(error, host);
    const res = host.switchToHttp().getResponse<Response>();
    setPageHeaders(res);
    res.status(status).set(error instanceof ProblemException ? error.headers : {});
    res.type('html').send(this.pages.signIn(status));
  }
}
