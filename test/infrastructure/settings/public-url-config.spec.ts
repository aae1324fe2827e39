import { parseConfig } from '../../../src/infrastructure/config/config';

describe('PUBLIC_URL', () => {
  it('defaults to localhost on PORT and keeps the origin only', () => {
    expect(parseConfig({}).publicUrl).toBe('http://localhost:3000');
    expect(parseConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(parseConfig({ PUBLIC_URL: 'https://Mail.Example.com/' }).publicUrl).toBe('https://mail.example.com');
    expect(parseConfig({ PUBLIC_URL: 'https://mail.example.com:8443' }).publicUrl).toBe(
      'https://mail.example.com:8443',
    );
  });

  it.each([
    ['mail.example.com', 'PUBLIC_URL: must be an absolute http(s) URL'],
    ['ftp://mail.example.com', 'PUBLIC_URL: must use http:// or https://'],
    [
      'https://mail.example.com/base',
      'PUBLIC_URL: must be an origin only (scheme, host and port), without path or query',
    ],
    [
      'https://u:p@mail.example.com',
      'PUBLIC_URL: must be an origin only (scheme, host and port), without path or query',
    ],
  ])('refuses %s naming the variable', (value, message) => {
    expect(() => parseConfig({ PUBLIC_URL: value })).toThrow(message);
  });
});
