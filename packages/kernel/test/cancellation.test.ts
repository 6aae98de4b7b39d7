import { describe, expect, it } from 'vitest';
import { CancelledError, listenForCancellation, sleep } from '../src/index.js';

describe('listenForCancellation', () => {
  it('aborts on SIGINT with a CancelledError naming the signal', () => {
    const seen: string[] = [];
    const cancellation = listenForCancellation((signal, count) => seen.push(`${signal}#${count}`));
    try {
      process.emit('SIGINT');
      process.emit('SIGTERM');
      expect(cancellation.signal.aborted).toBe(true);
      expect(cancellation.signal.reason).toBeInstanceOf(CancelledError);
      expect(cancellation.received()).toBe('SIGINT');
      expect(seen).toEqual(['SIGINT#1', 'SIGTERM#2']);
    } finally {
      cancellation.dispose();
    }
  });

  it('sleep rejects as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new CancelledError('SIGTERM'));
    await expect(pending).rejects.toThrow('Cancelled by SIGTERM');
  });
});
