import { lookup } from 'node:dns/promises';

export const HOST_RESOLVER = Symbol('HOST_RESOLVER');

/** Every A and AAAA address of a name. Injectable so tests never send a DNS query off the machine. */
export interface HostResolver {
  resolve(name: string): Promise<string[]>;
}

/**
 * getaddrinfo, as the rest of the system would resolve the name (hosts file included), asking
 * for both families. The answer is used once: the connection goes to these addresses, never to
 * the name, so a second, different answer cannot be slipped in between check and connect.
 */
export class SystemHostResolver implements HostResolver {
  async resolve(name: string): Promise<string[]> {
    const answers = await lookup(name, { all: true, family: 0, verbatim: true });
    return answers.map((a) => a.address);
  }
}
