import { Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../application/app-config';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from '../application/ports/idempotency.port';
import {
  DEFAULT_RELAY_TRANSPORT,
  type DefaultRelayTransport,
  TENANT_SMTP_TRANSPORT,
} from '../application/ports/mail-transport.port';
import { SEND_FAILURE_COUNTER, type SendFailureCounter } from '../application/ports/send-failure-counter.port';
import { DefaultModeSender } from '../application/sending/default-mode.sender';
import { InMemorySendFailureCounter } from '../application/sending/in-memory-send-failure-counter';
import { DELIVERY_FAILURE_THRESHOLD, DeliveryHealth } from '../application/sending/delivery-health';
import { ModeSenderRegistry } from '../application/sending/mode-senders';
import { SendMessageHandler } from '../application/sending/commands/send-message.handler';
import { SmtpModeSender } from '../application/sending/smtp-mode.sender';
import { TestSmtpHandler } from '../application/smtp-test/commands/test-smtp.handler';
import { dataDirPath } from '../infrastructure/data-dir-layout';
import { SqliteIdempotencyStore } from '../infrastructure/idempotency/sqlite-idempotency.store';
import { CONNECTION_FACTORY, ConnectionFactory, TcpConnectionFactory } from '../infrastructure/mail/connection-factory';
import { SmtpRelayTransport } from '../infrastructure/mail/default-relay.transport';
import { readExtraCa } from '../infrastructure/mail/extra-ca';
import { OutboxTransport } from '../infrastructure/mail/outbox.transport';
import { HOST_RESOLVER, HostResolver, SystemHostResolver } from '../infrastructure/mail/ssrf/host-resolver';
import { smtpTargetGuard } from '../infrastructure/mail/ssrf/smtp-target-guard';
import { NodemailerTenantSmtpTransport, smtpFingerprintKey } from '../infrastructure/mail/tenant-smtp.transport';
import { MasterKeyRing } from '../infrastructure/crypto/key-ring';
import { ChangeModeHandler } from '../application/mail-config/commands/change-mode.handler';
import { ConfigureSmtpHandler } from '../application/mail-config/commands/configure-smtp.handler';
import { SmtpActivationGate } from '../application/smtp-test/smtp-activation-gate';
import { GmailGrantsModule } from './gmail-grants.module';
import { PostgresDatabase } from '../infrastructure/postgres/postgres-database';
import { PostgresIdempotencyStore } from '../infrastructure/postgres/postgres.idempotency-store';
import { PostgresOutboxTransport } from '../infrastructure/postgres/postgres.outbox.transport';
import { PostgresSendFailureCounter } from '../infrastructure/postgres/postgres.send-failure-counter';
import { POSTGRES_DATABASE } from './core.module';
import { DeliveryLogModule } from './delivery-log.module';
import { MailConfigModule } from './mail-config.module';

const EXTRA_CA = Symbol('EXTRA_CA');

/**
 * The send and SMTP-test use cases with their transports; no controllers (the CLI imports this
 * module as it is; HTTP adds SendingHttpModule). Exports the mode → sender registry: another
 * mode's module (GmailModule) registers its sender there.
 */
@Module({
  imports: [MailConfigModule, GmailGrantsModule, DeliveryLogModule],
  providers: [
    { provide: HOST_RESOLVER, useValue: new SystemHostResolver() },
    { provide: CONNECTION_FACTORY, useValue: new TcpConnectionFactory() },
    { provide: EXTRA_CA, useFactory: (config: AppConfig) => readExtraCa(config.smtpExtraCaFile), inject: [APP_CONFIG] },
    {
      provide: TENANT_SMTP_TRANSPORT,
      useFactory: (
        config: AppConfig,
        resolver: HostResolver,
        factory: ConnectionFactory,
        extraCa: string[],
        ring: MasterKeyRing,
      ) =>
        new NodemailerTenantSmtpTransport(smtpTargetGuard(config, resolver), factory, {
          extraCa,
          clientName: config.defaultSenderDomain,
          fingerprintKey: smtpFingerprintKey(ring),
        }),
      inject: [APP_CONFIG, HOST_RESOLVER, CONNECTION_FACTORY, EXTRA_CA, MasterKeyRing],
    },
    {
      provide: DEFAULT_RELAY_TRANSPORT,
      useFactory: (
        config: AppConfig,
        factory: ConnectionFactory,
        extraCa: string[],
        database: PostgresDatabase | null,
      ): DefaultRelayTransport =>
        config.defaultRelayUrl
          ? new SmtpRelayTransport(config.defaultRelayUrl, factory, { extraCa, clientName: config.defaultSenderDomain })
          : database
            ? new PostgresOutboxTransport(database.pool)
            : new OutboxTransport(dataDirPath(config.dataDir, 'outbox')),
      inject: [APP_CONFIG, CONNECTION_FACTORY, EXTRA_CA, POSTGRES_DATABASE],
    },
    {
      provide: IDEMPOTENCY_STORE,
      useFactory: (config: AppConfig, database: PostgresDatabase | null): IdempotencyStore =>
        database
          ? new PostgresIdempotencyStore(database.pool)
          : new SqliteIdempotencyStore(dataDirPath(config.dataDir, 'idempotency')),
      inject: [APP_CONFIG, POSTGRES_DATABASE],
    },
    {
      provide: DELIVERY_FAILURE_THRESHOLD,
      useFactory: (config: AppConfig) => config.sendFailingAfter,
      inject: [APP_CONFIG],
    },
    {
      provide: SEND_FAILURE_COUNTER,
      useFactory: (database: PostgresDatabase | null): SendFailureCounter =>
        database ? new PostgresSendFailureCounter(database.pool) : new InMemorySendFailureCounter(),
      inject: [POSTGRES_DATABASE],
    },
    ModeSenderRegistry,
    DefaultModeSender,
    SmtpModeSender,
    DeliveryHealth,
    SendMessageHandler,
    SmtpActivationGate,
    TestSmtpHandler,
    // Here rather than in MailConfigModule: activating SMTP runs the Test, which needs the transport.
    ChangeModeHandler,
    ConfigureSmtpHandler,
  ],
  exports: [ModeSenderRegistry, DEFAULT_RELAY_TRANSPORT, HOST_RESOLVER, CONNECTION_FACTORY],
})
export class SendingModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly registry: ModeSenderRegistry,
    private readonly defaultSender: DefaultModeSender,
    private readonly smtpSender: SmtpModeSender,
    @Inject(TENANT_SMTP_TRANSPORT) private readonly tenantSmtp: { close?: () => void },
    @Inject(DEFAULT_RELAY_TRANSPORT) private readonly relay: { close?: () => void },
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.defaultSender);
    this.registry.register(this.smtpSender);
  }

  async onApplicationShutdown(): Promise<void> {
    this.tenantSmtp.close?.();
    this.relay.close?.();
    await this.idempotency.close();
  }
}
