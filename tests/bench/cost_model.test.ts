import { billInvocation, monthlyCharge, monthlyUsage, scaleUsage } from '../../bench/cost_model';

/**
 * The pricing arithmetic behind `npm run bench`, checked against the worked
 * examples in FORGE_FACTS §9 (computed there independently of this code).
 */

const idle = { waitMs: 0, computeMs: 0, kvsReadBytes: 0, kvsEmptyReads: 0, kvsWriteBytes: 0, logBytes: 0 };

describe('billing one invocation', () => {
  it('bills 512 MB for 1.0 s as 0.5 GB-s, so 8,640 runs a month are 4,320 GB-s, $0.108 beyond the free pool', () => {
    const bill = billInvocation({ ...idle, waitMs: 1000 }, { memoryMB: 512, platformOverheadMs: 0 });
    const month = monthlyUsage([{ count: 8640, bill }]);

    expect(bill.gbSeconds).toBeCloseTo(0.5, 10);
    expect(month.gbSeconds).toBeCloseTo(4320, 6);
    expect(monthlyCharge(month, { allowances: false }).compute).toBeCloseTo(0.108, 6);
  });

  it('slows CPU time by the share of a vCPU the memory size buys, never waiting time', () => {
    const at128 = billInvocation({ ...idle, waitMs: 10, computeMs: 1 }, { memoryMB: 128, platformOverheadMs: 0 });
    const atFull = billInvocation({ ...idle, waitMs: 10, computeMs: 1 }, { memoryMB: 1769, platformOverheadMs: 0 });

    expect(at128.billedSeconds * 1000).toBeCloseTo(10 + 1769 / 128, 6);
    expect(atFull.billedSeconds * 1000).toBeCloseTo(11, 6);
  });

  it('bills each read of an absent key as 1 KB', () => {
    const bill = billInvocation(
      { ...idle, kvsReadBytes: 600, kvsEmptyReads: 3 },
      { memoryMB: 128, platformOverheadMs: 0 },
    );

    expect(bill.kvsReadBytes).toBe(600 + 3 * 1024);
  });
});

describe('the monthly charge', () => {
  it('is zero while an app stays within every free allowance', () => {
    const bill = billInvocation(
      { ...idle, waitMs: 200, kvsReadBytes: 1000, logBytes: 400 },
      { memoryMB: 128, platformOverheadMs: 0 },
    );
    const month = monthlyUsage([{ count: 8640, bill }]);

    expect(monthlyCharge(month, { allowances: true }).total).toBe(0);
  });

  it('charges only the usage beyond the per-app allowances', () => {
    // 1 KB written per run by 20 installations: 0.17 GB, of which 0.07 GB is beyond the free 0.1 GB.
    const bill = billInvocation({ ...idle, kvsWriteBytes: 1000 }, { memoryMB: 128, platformOverheadMs: 0 });
    const app = scaleUsage(monthlyUsage([{ count: 8640, bill }]), 20);

    expect(app.kvsWriteGb).toBeCloseTo(0.1728, 6);
    expect(monthlyCharge(app, { allowances: true }).kvsWrites).toBeCloseTo((0.1728 - 0.1) * 1.09, 6);
  });
});
