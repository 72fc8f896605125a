import { strict as assert } from 'node:assert';
import { Q } from '../../../app/cost/exact';
import { smallestFargateTask, describeFargateMemory, fargateMemoryFor } from '../../../app/cost/fargate';

describe('exact arithmetic', () => {
  it('rounds half up to cents where binary floating point would not', () => {
    assert.equal(Math.round(1.005 * 100), 100);
    assert.equal(Q.of('1.005').toCents(), 101n);
    assert.equal(Q.of('2.675').toCents(), 268n);
    assert.equal(Q.of('16.425').toCents(), 1643n);
    assert.equal(Q.of('0.004999').toCents(), 0n);
  });

  it('keeps sums of decimal prices exact', () => {
    assert.equal(Q.of('0.1').add(Q.of('0.2')).cmp(Q.of('0.3')), 0);
    assert.equal(Q.of(1e-7).mul(1e7).cmp(1), 0);
  });

  it('ceils fractions and whole numbers', () => {
    assert.equal(Q.of('120.2').ceil().toNumber(), 121);
    assert.equal(Q.of(121).ceil().toNumber(), 121);
    assert.equal(Q.of(600).div(512).ceil().toNumber(), 2);
  });

  it('rounds to the nearest cent, half a cent away from zero, never to even', () => {
    const cents = (s: string) => Q.of(s).toCents();
    assert.deepEqual(
      ['0.005', '0.015', '0.025', '0.125', '0.0049999999', '0.0050000001', '0.994999', '0.995', '12.345', '0'].map(cents),
      [1n, 2n, 3n, 13n, 0n, 1n, 99n, 100n, 1235n, 0n],
    );
    assert.deepEqual(['-0.005', '-0.025', '-0.0049999', '-0.0051', '-12.345'].map(cents), [-1n, -3n, 0n, -1n, -1235n]);
    assert.equal(new Q(1n, 3n).toCents(), 33n);
    assert.equal(new Q(2n, 3n).toCents(), 67n);
  });

  it('takes any finite number as the decimal JavaScript prints for it', () => {
    assert.equal(Q.of(1e-21).cmp(new Q(1n, 10n ** 21n)), 0);
    assert.equal(Q.of(1.5e-7).cmp(new Q(15n, 10n ** 8n)), 0);
    assert.equal(Q.of(5e-324).cmp(new Q(5n, 10n ** 324n)), 0);
    assert.equal(Q.of(1e21).cmp(new Q(10n ** 21n)), 0);
    assert.equal(Q.of(1e308).cmp(new Q(10n ** 308n)), 0);
    assert.equal(Q.of(-2.5e-8).cmp(new Q(-25n, 10n ** 9n)), 0);
    assert.equal(Q.of(0.1).cmp(new Q(1n, 10n)), 0);
    assert.equal(Q.of('5e-7').cmp(new Q(5n, 10n ** 7n)), 0);
    assert.equal(Q.of('1e400').cmp(new Q(10n ** 400n)), 0);
  });

  it('refuses an exponent no finite number has, at once, rather than build a huge number', () => {
    assert.throws(() => Q.of('1e401'), /exponent out of range \(at most 400\): 1e401/);
    assert.throws(() => Q.of('1e-401'), /exponent out of range/);
  });

  it('converts to the nearest double, also beyond double range in numerator and denominator', () => {
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= Math.abs(b) * 4 * Number.EPSILON, `${a} vs ${b}`);
    close(new Q(1n, 3n).toNumber(), 1 / 3);
    close(Q.of(1e-21).toNumber(), 1e-21);
    close(Q.of(1e308).toNumber(), 1e308);
    close(Q.of(5e-324).mul(Q.of(1e308)).toNumber(), 5e-16);
    close(new Q(10n ** 400n + 1n, 10n ** 399n).toNumber(), 10);
    close(Q.of(-1.25).toNumber(), -1.25);
    assert.equal(new Q(1n, 10n ** 400n).toNumber(), 0);
    assert.equal(Q.of(1e308).mul(10).toNumber(), Infinity);
  });

  it('refuses what is not a decimal number', () => {
    assert.throws(() => Q.of('1/3'), /not a decimal number/);
    assert.throws(() => Q.of(Number.NaN), /not a finite number/);
  });
});

describe('Fargate task sizes', () => {
  it('picks the smallest task with enough memory', () => {
    assert.deepEqual(smallestFargateTask(512), { cpu: 256, memory: 512 });
    assert.deepEqual(smallestFargateTask(2048), { cpu: 256, memory: 2048 });
    assert.deepEqual(smallestFargateTask(3000), { cpu: 512, memory: 3072 });
    assert.deepEqual(smallestFargateTask(10240), { cpu: 2048, memory: 10240 });
    assert.throws(() => smallestFargateTask(200_000), /largest has 122880/);
  });

  it('lists the memory allowed with each CPU size', () => {
    assert.deepEqual(fargateMemoryFor(256), [512, 1024, 2048]);
    assert.equal(fargateMemoryFor(300), undefined);
    assert.equal(describeFargateMemory(1024), '2048-8192 in steps of 1024');
    assert.equal(describeFargateMemory(8192), '16384-61440 in steps of 4096');
  });
});
