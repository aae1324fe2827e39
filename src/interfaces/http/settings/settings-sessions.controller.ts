import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import type { CommandContext } from '../../../application/common/command-context';
import {
  CreateSettingsSessionCommand,
  type SettingsLinkCreated,
} from '../../../application/settings/commands/create-settings-session.command';
import { NO_CONTROL } from '../mail-config/smtp-fields';
import { Ctx } from '../common/request-context';
import { TenantIdPipe } from '../common/tenant-id.pipe';

export class CreateSettingsSessionDto {
  @ApiPropertyOptional({
    example: 'https://app.example.com/settings',
    description: 'Where "Back to the application" leads; must be under OAUTH_RETURN_URL_ORIGINS',
  })
  @IsOptional()
  @IsString({ message: 'returnUrl must be a string' })
  @Length(1, 2048, { message: 'returnUrl must be 1-2048 characters' })
  returnUrl?: string;

  @ApiPropertyOptional({
    example: 'ana@acme.example',
    description: 'Who uses the page: recorded on every change made there (default: X-Actor, else the caller)',
  })
  @IsOptional()
  @IsString({ message: 'actor must be a string' })
  @Length(1, 200, { message: 'actor must be 1-200 characters' })
  @Matches(NO_CONTROL, { message: 'actor must not contain control characters' })
  actor?: string;
}

export class SettingsLinkDto {
  @ApiProperty({
    description: 'Single-use link to the settings page on PUBLIC_URL; give it to the tenant’s browser only',
  })
  url: string;
  @ApiProperty({ description: 'The link must be opened before this time (5 minutes)' })
  expiresAt: string;
}

@ApiTags('settings page')
@ApiBearerAuth()
@Controller('v1/tenants/:tenantId/settings-sessions')
export class SettingsSessionsController {
  constructor(private readonly commands: CommandBus) {}

  /** Main application only (the default tenant-write access rule): support staff cannot open a tenant's page. */
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'A single-use link (5 min) to the tenant’s "Support Email Mode" settings page' })
  @ApiCreatedResponse({ type: SettingsLinkDto })
  create(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: CreateSettingsSessionDto,
    @Ctx() ctx: CommandContext,
  ): Promise<SettingsLinkCreated> {
    return this.commands.execute(
      new CreateSettingsSessionCommand(tenantId, body?.actor ?? null, body?.returnUrl ?? null, ctx),
    );
  }
}
