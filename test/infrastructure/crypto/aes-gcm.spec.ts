import { randomBytes } from 'node:crypto';
import { open, seal } from '../../../src/infrastructure/crypto/aes-gcm';

describe('AES-256-GCM seal/open', () => {
  const key = randomBytes(32);

  it('opens what it sealed, and only with the same key and associated data', () => {
    const box = seal(key, Buffer.from('s3cret-password'), 'tenant-a/smtp.password');
    expect(open(key, box, 'tenant-a/smtp.password').toString()).toBe('s3cret-password');
    expect(() => open(key, box, 'tenant-b/smtp.password')).toThrow();
    expect(() => open(randomBytes(32), box, 'tenant-a/smtp.password')).toThrow();
    const flipped = Buffer.from(box);
    flipped[flipped.length - 1] ^= 1;
    expect(() => open(key, flipped, 'tenant-a/smtp.password')).toThrow();
  });

  it('never uses an IV twice, across several refills of the IV pool', () => {
    const ivs = new Set<string>();
    const n = 2_000; // the pool holds 256 IVs: this crosses it seven times
    for (let i = 0; i < n; i++) ivs.add(seal(key, Buffer.from('x'), 'aad').subarray(0, 12).toString('hex'));
    expect(ivs.size).toBe(n);
  });

  it('keeps each box intact when later seals refill the pool', () => {
    const first = seal(key, Buffer.from('first'), 'aad');
    const copy = Buffer.from(first);
    for (let i = 0; i < 600; i++) seal(key, Buffer.from('later'), 'aad');
    expect(first.equals(copy)).toBe(true);
    expect(open(key, first, 'aad').toString()).toBe('first');
  });
});
