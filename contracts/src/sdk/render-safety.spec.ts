import { describe, expect, it } from '@jest/globals';
import { capText, isLinkUrl, linkUrl } from './render-safety.js';

const SITE = 'https://dojo.example.com/sub/';

describe('linkUrl', () => {
  it.each<[string | undefined, string]>([
    ['https://other.example.com/x?y=1', 'https://other.example.com/x?y=1'],
    ['HTTP://other.example.com', 'HTTP://other.example.com'],
    ['/finding/9', 'https://dojo.example.com/sub/finding/9'],
    ['finding/9', 'https://dojo.example.com/sub/finding/9'],
    ['//evil.example.com/x', 'https://dojo.example.com/sub/evil.example.com/x'],
    ['  /test/7  ', 'https://dojo.example.com/sub/test/7'],
    ['javascript:alert(3)', ''],
    ['JaVaScRiPt:alert(3)', ''],
    [' javascript:alert(3)', ''],
    ['data:text/html,<b>x</b>', ''],
    ['vbscript:x', ''],
    ['file:///etc/passwd', ''],
    ['mailto:a@example.com', ''],
    ['http:/missing-slash', ''],
    ['', ''],
    [undefined, ''],
  ])('%j → %j', (url, expected) => {
    expect(linkUrl(url, SITE)).toBe(expected);
  });

  it('renders no link for a relative URL when the site URL is not http(s)', () => {
    expect(linkUrl('/x', 'javascript:alert(1)//')).toBe('');
  });

  it('isLinkUrl accepts only absolute http(s) URLs', () => {
    expect(isLinkUrl('https://a.example.com')).toBe(true);
    expect(isLinkUrl('/relative')).toBe(false);
    expect(isLinkUrl('https://')).toBe(false);
  });
});

describe('capText', () => {
  it('keeps text within the cap unchanged', () => {
    expect(capText('abc', 3)).toBe('abc');
  });

  it('cuts to the cap, ending with an ellipsis', () => {
    expect(capText('abcdef', 4)).toBe('abc…');
  });

  it('counts code points, never splitting a surrogate pair', () => {
    expect(capText('😀😀😀😀', 3)).toBe('😀😀…');
    expect(capText('😀😀', 2)).toBe('😀😀');
  });
});
