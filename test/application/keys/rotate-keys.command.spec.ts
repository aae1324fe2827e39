import { RotateKeysCommand } from '../../../src/application/keys/commands/rotate-keys.command';
import { RotateKeysHandler } from '../../../src/application/keys/commands/rotate-keys.handler';
import { type KeyRotation, type RotationProgress } from '../../../src/application/ports/key-rotation.port';

/** A key store of `pending` data keys; `async` answers as a networked store would. */
function keyStore(pending: number, async: boolean) {
  const store = {
    rewrapped: 0,
    rotate(onProgress?: RotationProgress) {
      const work = (): number => {
        const total: number = pending - store.rewrapped;
        for (let i = 1; i <= total; i++) {
          store.rewrapped += 1;
          onProgress?.(i, total);
        }
        return total;
      };
      return async ? Promise.resolve().then(work) : Promise.resolve(work());
    },
  } satisfies KeyRotation & { rewrapped: number };
  return store;
}

const ring = { activeId: 'k2', ids: () => ['k1', 'k2'] };

describe.each([
  ['a key store that answers at once', false],
  ['a key store that answers later', true],
])('RotateKeysHandler on %s', (_label, async) => {
  it('re-wraps every data key and names the master keys no data key needs any more', async () => {
    const store = keyStore(4, async);
    const seen: string[] = [];
    const result = await new RotateKeysHandler(store, ring).execute(
      new RotateKeysCommand({ onProgress: (done, total) => seen.push(`${done}/${total}`) }),
    );
    expect(result).toEqual({ activeKeyId: 'k2', rewrapped: 4, remaining: 0, retirableKeyIds: ['k1'] });
    expect(seen).toEqual(['1/4', '2/4', '3/4', '4/4']);
  });

  it('stops after --stop-after keys, keeps the old key, and a second run re-wraps the rest', async () => {
    const store = keyStore(5, async);
    const handler = new RotateKeysHandler(store, ring);
    const first = await handler.execute(new RotateKeysCommand({ stopAfter: 2 }));
    expect(first).toEqual({ activeKeyId: 'k2', rewrapped: 2, remaining: 3, retirableKeyIds: [] });
    expect(store.rewrapped).toBe(2);
    const second = await handler.execute(new RotateKeysCommand({ stopAfter: 10 }));
    expect(second).toEqual({ activeKeyId: 'k2', rewrapped: 3, remaining: 0, retirableKeyIds: ['k1'] });
  });

  it('passes on a failure of the key store (a master key missing from the ring)', async () => {
    const failing: KeyRotation = {
      rotate: () => {
        throw new Error('Master key "k0" is not in the key ring');
      },
    };
    await expect(new RotateKeysHandler(failing, ring).execute(new RotateKeysCommand())).rejects.toThrow(
      'Master key "k0" is not in the key ring',
    );
  });
});
