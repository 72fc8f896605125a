/**
 * Exact rational arithmetic on BigInt, so that cost figures carry no floating-point error:
 * every price and input is turned into a fraction, and rounding happens once, to cents,
 * at the end of each line item.
 */
/** The largest decimal exponent `Q.of` takes: beyond every finite double's. */
const MAX_EXPONENT = 400;

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

  /**
   * A decimal number as an exact fraction: a finite number is taken as the decimal JavaScript prints
   * for it (0.1 is 1/10, 1e-21 is 1/10^21), a string may be written the same way ("0.0000133334",
   * "5e-7"). Any finite number is accepted.
   */
  static of(value: number | string | bigint): Q {
    if (typeof value === 'bigint') return new Q(value);
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    const text = typeof value === 'number' ? String(value) : value.trim();
    const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
    if (!match) throw new RangeError(`not a decimal number: ${text}`);
    const [, sign, whole, frac = '', exp = '0'] = match;
    // Every finite double is within 1e-400..1e400; a larger exponent would only make a huge BigInt.
    if (Math.abs(Number(exp)) > MAX_EXPONENT) throw new RangeError(`exponent out of range (at most ${MAX_EXPONENT}): ${text}`);
    const n = BigInt(`${sign}${whole}${frac}`);
    const scale = BigInt(exp) - BigInt(frac.length);
    return scale >= 0n ? new Q(n * 10n ** scale) : new Q(n, 10n ** -scale);
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

  /** The nearest double (to a unit in the last place); finite even when n and d are beyond double range. */
  toNumber(): number {
    const negative = this.n < 0n;
    const n = negative ? -this.n : this.n;
    const whole = n / this.d;
    let value: number;
    // From 2^53 the fraction no longer shows; past double range Number() answers Infinity.
    if (whole >= 1n << 53n) value = Number(whole);
    else {
      // n/d scaled by 2^k to about 64 significant bits, then scaled back.
      const k = Math.max(0, bitLength(this.d) - bitLength(n) + 64);
      value = Number((n << BigInt(k)) / this.d) * 2 ** -k;
    }
    return negative ? -value : value;
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

function bitLength(x: bigint): number {
  return x.toString(2).length;
}
