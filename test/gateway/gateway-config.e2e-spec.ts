import { describe, expect, it } from '@jest/globals';

import { loadGatewayConfig } from '../../gateway/src/config/gateway.config.js';

describe('loadGatewayConfig', () => {
  it('should read a setting written as plain digits, spaces around it allowed', () => {
    expect(loadGatewayConfig({ WRITE_WINDOW_MS: ' 5 ' }).writeWindowMs).toBe(5);
    expect(loadGatewayConfig({}).writeWindowMs).toBe(8);
  });

  it.each(['0x8', '1e1', '0b1', '8.5', '-1', 'abc', 'Infinity', '101'])(
    'should refuse to start on WRITE_WINDOW_MS=%s, naming the setting',
    (raw) => {
      expect(() => loadGatewayConfig({ WRITE_WINDOW_MS: raw })).toThrow(
        `Setting WRITE_WINDOW_MS=${raw} is not an integer from 0 to 100`,
      );
    },
  );

  it('should refuse a port written in another base', () => {
    expect(() => loadGatewayConfig({ PORT: '0x1f41' })).toThrow(
      'Setting PORT=0x1f41 is not an integer',
    );
  });
});
