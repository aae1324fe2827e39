import { type Ip } from '../mail/ssrf/ip-ranges';

/**
 * Whether the deployment lets the webhook URL reach a loopback or private address. One small
 * object, so the rule that decides it (today SMTP_ALLOW_PRIVATE_HOSTS) can be switched in one
 * place: the webhooks module builds it from the configuration.
 */
export interface WebhookAddressPolicy {
  allowsPrivate(ip: Ip): boolean;
}

export const WEBHOOK_ADDRESS_POLICY = Symbol('WEBHOOK_ADDRESS_POLICY');
