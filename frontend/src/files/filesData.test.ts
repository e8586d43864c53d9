import { describe, expect, it } from 'vitest';
import { formatSize } from './filesData';

describe('formatSize', () => {
  it('reads like a person writes sizes', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(25 * 1024 * 1024)).toBe('25 MB');
    expect(formatSize(3 * 1024 ** 3)).toBe('3 GB');
  });
});
