import { Inject, Injectable } from '@nestjs/common';
import { ApplicationError } from '../common/application-error';
import type { CommandContext } from '../common/command-context';
import { USERNAME_CLAIM_STREAM_PREFIX } from '../common/stream-categories';
import { CLOCK, type Clock } from '../ports/clock.port';
import {
  ConcurrencyError,
  EVENT_STORE,
  type EventStore,
  EventStoreUnavailableError,
  type NewEvent,
} from '../ports/event-store.port';
import { ID_GENERATOR, type IdGenerator } from '../ports/id.port';
import { normaliseUsername, ProvisionedUsernames } from './provisioned-usernames';

export const usernameClaimStreamOf = (username: string) =>
  `${USERNAME_CLAIM_STREAM_PREFIX}${normaliseUsername(username)}`;

const TAKEN = 'This username is already the support address of another tenant; choose another';

/** 409 naming the field; never the tenant that holds the address (that would leak who the platform serves). */
export function usernameTaken(): ApplicationError {
  return new ApplicationError('USERNAME_TAKEN', TAKEN, 'username', {
    errors: [{ field: 'username', message: TAKEN }],
  });
}

/** The store did not answer an append: the very same append once more after this pause, then the error. */
const RESEND_DELAY_MS = 200;
/** A lost "no stream" race means the stream now exists: one more look names its owner. */
const MAX_ATTEMPTS = 3;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A username (its normalised form) belongs to the first tenant whose `UsernameClaimed` lands in
 * the username's own stream, appended with expected version "no stream": the store lets exactly
 * one such append through, whichever instance makes it, on EventStoreDB and on SQLite alike.
 *
 * The claim is appended before the tenant's MailConfigProvisioned, in another stream, so a crash
 * can fall between the two. The owner's next provisioning finds its own claim and goes on; nobody
 * else can take the address meanwhile. A claim is never released: an erased tenant's address
 * must not start routing to someone else.
 *
 * Tenants provisioned before claims existed have no claim stream; their usernames are found in
 * the tenant streams (ProvisionedUsernames) and refused to everyone else as well.
 */
@Injectable()
export class UsernameClaims {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    private readonly provisioned: ProvisionedUsernames,
  ) {}

  /** Resolves when `tenantId` holds the username (already, or now); throws USERNAME_TAKEN otherwise. */
  async claim(tenantId: string, username: string, context: CommandContext): Promise<void> {
    const key = normaliseUsername(username);
    const streamId = usernameClaimStreamOf(key);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const owner = await this.ownerOf(streamId);
      if (owner === tenantId) return;
      if (owner !== null) throw usernameTaken();
      const earlier = await this.provisioned.ownersOf(key);
      if (earlier.some((t) => t.tenantId !== tenantId)) throw usernameTaken();
      const event: NewEvent = {
        eventId: this.ids.next(),
        type: 'UsernameClaimed',
        data: { username: key, tenantId },
        metadata: { ...context, at: this.clock.now().toISOString() },
      };
      try {
        await this.appendResending(streamId, event);
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        // Someone's claim landed first (maybe this tenant's own, from another instance): look again.
      }
    }
    throw usernameTaken();
  }

  /** The tenant holding the claim, or null when nobody does. */
  async ownerOf(streamId: string): Promise<string | null> {
    const [first] = await this.store.readStream(streamId, { maxCount: 1 });
    return first ? (first.data as { tenantId: string }).tenantId : null;
  }

  /** An append the store did not answer may have landed: the same event id makes the resend harmless. */
  private async appendResending(streamId: string, event: NewEvent): Promise<void> {
    try {
      await this.store.appendToStream(streamId, [event], { expectedVersion: 'no_stream' });
    } catch (error) {
      if (!(error instanceof EventStoreUnavailableError)) throw error;
      await pause(RESEND_DELAY_MS);
      await this.store.appendToStream(streamId, [event], { expectedVersion: 'no_stream' });
    }
  }
}
