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
