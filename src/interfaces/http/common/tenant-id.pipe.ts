import { Injectable, PipeTransform } from '@nestjs/common';
import { validationProblem } from './problem';

export const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

@Injectable()
export class TenantIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || !TENANT_ID.test(value)) {
      throw validationProblem([
        { field: 'tenantId', message: 'tenantId must be 1-64 characters of A-Z, a-z, 0-9, _ or -' },
      ]);
    }
    return value;
  }
}
