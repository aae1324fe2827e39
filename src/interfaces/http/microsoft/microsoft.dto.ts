import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

export class StartMicrosoftAuthorizationDto {
  @ApiProperty({
    example: 'https://app.example/settings/mail',
    description: 'Where the browser returns after Microsoft (?microsoft=…); must be under OAUTH_RETURN_URL_ORIGINS',
  })
  @IsString({ message: 'returnUrl must be a string' })
  @MaxLength(2048, { message: 'returnUrl must be at most 2048 characters' })
  @Matches(/^https?:\/\/[^\s\x00-\x1f\x7f]+$/i, { message: 'returnUrl must be an absolute http(s) URL' })
  returnUrl: string;
}

export class MicrosoftAuthorizationStartedDto {
  @ApiProperty({ description: 'Microsoft consent URL to send the browser to' })
  authorizationUrl: string;

  @ApiProperty({ description: 'The consent URL can be used until then (10 minutes), once' })
  expiresAt: string;
}
