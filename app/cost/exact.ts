/**
 * Exact rational arithmetic on BigInt, so that cost figures carry no floating-point error:
 * every price and input is turned into a fraction, and rounding happens once, to cents,
 * at the end of each line item.
 */
export class Q {
  readonly n: bigint;
  readonly d: bigint;

  constructor(n: bigint, d: bigint = 1n) {
    if (d === 0n) throw new RangeError('division by zero');
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n < 0n ? -n : n, d);
    this.n = n / g;
    this.d = d / g;
  }

  /** A decimal number (or its string form, e.g. "0.0000133334") as an exact fraction. */
  static of(value: number | string | bigint): Q {
    if (typeof value === 'bigint') return new Q(value);
    const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
    const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
    if (!match) throw new RangeError(`not a decimal number: ${text}`);
    const [, sign, whole, frac = ''] = match;
    const n = BigInt(`${sign}${whole}${frac}`);
    return new Q(n, 10n ** BigInt(frac.length));
  }

  add(o: Q | number): Q {
    const b = toQ(o);
    return new Q(this.n * b.d + b.n * this.d, this.d * b.d);
  }

  sub(o: Q | number): Q {
    const b = toQ(o);
    return new Q(this.n * b.d - b.n * this.d, this.d * b.d);
  }

  mul(o: Q | number): Q {
    const b = toQ(o);
    return new Q(this.n * b.n, this.d * b.d);
  }

  div(o: Q | number): Q {
    const b = toQ(o);
    return new Q(this.n * b.d, this.d * b.n);
  }

  cmp(o: Q | number): number {
    const b = toQ(o);
    const left = this.n * b.d;
    const right = b.n * this.d;
    return left < right ? -1 : left > right ? 1 : 0;
  }

  /** Smallest integer not below this value. */
  ceil(): Q {
    const q = this.n / this.d;
    const exact = q * this.d === this.n;
    return new Q(exact || this.n < 0n ? q : q + 1n);
  }

  /** Rounded half up to a whole number of cents, returned as integer cents. */
  toCents(): bigint {
    const scaled = this.n * 100n;
    const twice = (2n * scaled + this.d) / (2n * this.d);
    return scaled >= 0n ? twice : -((-2n * scaled + this.d) / (2n * this.d));
  }

  toNumber(): number {
    return Number(this.n) / Number(this.d);
  }
}

export const max = (a: Q, b: Q): Q => (a.cmp(b) >= 0 ? a : b);
export const min = (a: Q, b: Q): Q => (a.cmp(b) <= 0 ? a : b);
export const ZERO = new Q(0n);

/** Integer cents as dollars, e.g. 1234n → 12.34. */
export const centsToUsd = (cents: bigint): number => Number(cents) / 100;

function toQ(value: Q | number): Q {
  return value instanceof Q ? value : Q.of(value);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const text = String(value);
  if (!/e/i.test(text)) return text;
  // Exponent notation (1e21, 5e-7): expand through toFixed, which is exact for these magnitudes.
  return Math.abs(value) < 1 ? value.toFixed(20).replace(/0+$/, '') : BigInt(Math.round(value)).toString();
}
