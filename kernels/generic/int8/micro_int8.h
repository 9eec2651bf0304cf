/*
 * micro_int8.h - integer fixed-point helpers shared by the int8 kernels.
 *
 * Every function reproduces, bit for bit, the integer arithmetic TFLite's reference int8
 * kernels perform (LiteRT's builds use the "double rounding" variant, i.e.
 * TFLITE_SINGLE_ROUNDING=0). Where TFLite relies on two's-complement wraparound (or on
 * behaviour C leaves undefined) the helpers compute the same value through int64 or
 * unsigned arithmetic, so they are clean under UBSan.
 *
 * Quantized multipliers are (multiplier, shift) pairs from TFLite's QuantizeMultiplier
 * (micro.backends.generic.int8_abi.quantize_multiplier): real = multiplier * 2^(shift - 31)
 * with multiplier in [2^30, 2^31) (or 0) and shift in [-31, 30].
 */
#ifndef MICRO_INT8_H_
#define MICRO_INT8_H_

#include "micro_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MICRO_INT32_MIN (-2147483647 - 1)
#define MICRO_INT32_MAX 2147483647

/* a + b and a - b with two's-complement wraparound (no signed overflow). */
MICRO_ALWAYS_INLINE int32_t micro_wrap_add_i32(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}
MICRO_ALWAYS_INLINE int32_t micro_wrap_sub_i32(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a - (uint32_t)b);
}
/* x * 2^n for 0 <= n <= 31, wrapping like the int32 multiplication TFLite writes. */
MICRO_ALWAYS_INLINE int32_t micro_wrap_shl_i32(int32_t x, int n) {
  return (int32_t)((uint32_t)x << n);
}

/* gemmlowp SaturatingRoundingDoublingHighMul: a * b / 2^31 rounded to nearest. gemmlowp
 * adds a nudge of 2^30 (or 1 - 2^30 for negative products) and truncates toward zero, which
 * is exactly floor((a * b + 2^30) / 2^31): ties round toward +infinity. The single
 * overflowing case a == b == INT32_MIN saturates to INT32_MAX. (>> of a negative value is
 * an arithmetic shift on every compiler micro supports, as gemmlowp also assumes.) */
MICRO_ALWAYS_INLINE int32_t micro_srdhm(int32_t a, int32_t b) {
  const int64_t ab = (int64_t)a * (int64_t)b;
  if (a == MICRO_INT32_MIN && b == MICRO_INT32_MIN) return MICRO_INT32_MAX;
  return (int32_t)((ab + ((int64_t)1 << 30)) >> 31);
}

/* gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero,
 * for 0 <= e <= 31. */
MICRO_ALWAYS_INLINE int32_t micro_rounding_divide_by_pot(int32_t x, int e) {
  const int32_t mask = (int32_t)(((uint32_t)1 << e) - 1u);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (remainder > threshold ? 1 : 0);
}

/* gemmlowp SaturatingRoundingMultiplyByPOT with a positive exponent e (1 <= e <= 30):
 * x * 2^e saturated to the int32 range. */
MICRO_ALWAYS_INLINE int32_t micro_saturating_shl(int32_t x, int e) {
  const int32_t threshold = (int32_t)(((uint32_t)1 << (31 - e)) - 1u);
  if (x > threshold) return MICRO_INT32_MAX;
  if (x < -threshold) return MICRO_INT32_MIN;
  return micro_wrap_shl_i32(x, e);
}

/* TFLite MultiplyByQuantizedMultiplier(int32 x, multiplier, shift), double-rounding form:
 *   RoundingDivideByPOT(SRDHM(x * 2^max(shift, 0), multiplier), max(-shift, 0))
 * (x * 2^left wraps on overflow, as TFLite's compiled int32 multiply does). */
MICRO_ALWAYS_INLINE int32_t micro_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  const int left = shift > 0 ? (int)shift : 0;
  const int right = shift > 0 ? 0 : (int)-shift;
  return micro_rounding_divide_by_pot(micro_srdhm(micro_wrap_shl_i32(x, left), multiplier),
                                      right);
}

/* TFLite's requantization epilogue: clamp(MBQM(acc, multiplier, shift) + zero_point). */
MICRO_ALWAYS_INLINE int8_t micro_output_s8(int32_t acc, int32_t multiplier, int32_t shift,
                                           int32_t zero_point, int32_t act_min, int32_t act_max) {
  int32_t v = micro_wrap_add_i32(micro_mbqm(acc, multiplier, shift), zero_point);
  v = v < act_min ? act_min : v;
  v = v > act_max ? act_max : v;
  return (int8_t)v;
}

/* Number of significant bits of a nonzero 64-bit value. */
MICRO_ALWAYS_INLINE int micro_bit_length_u64(uint64_t v) {
#if defined(__GNUC__) || defined(__clang__)
  return 64 - __builtin_clzll(v);
#else
  int n = 0;
  while (v) {
    ++n;
    v >>= 1;
  }
  return n;
#endif
}

/*
 * (int32_t)round((double)acc * scale) computed in integers only, where the double scale
 * = mantissa * 2^exponent (mantissa < 2^53, from int8_abi.float_scale_parts) and round()
 * rounds half away from zero. This is what TFLite's reference FULLY_CONNECTED does for its
 * int8 requantization: the product is rounded to the nearest double (53 significant bits,
 * ties to even) and that double is rounded to an integer. Results outside the int32 range
 * saturate (TFLite's cast is undefined there).
 */
MICRO_ALWAYS_INLINE int32_t micro_round_mul_double(int32_t acc, int64_t mantissa,
                                                   int32_t exponent) {
  const int neg = acc < 0;
  const uint64_t a = neg ? (uint64_t)0 - (uint64_t)(int64_t)acc : (uint64_t)acc;
  const uint64_t m = (uint64_t)mantissa;
  uint64_t lo, hi, mid, q, r;
  int len, k, t;
  if (a == 0 || m == 0) return 0;
  /* the exact product a * m (< 2^85) as hi:lo */
  lo = a * (m & 0xffffffffu);
  mid = a * (m >> 32);
  hi = mid >> 32;
  mid <<= 32;
  lo += mid;
  hi += lo < mid ? 1u : 0u;
  len = hi ? 64 + micro_bit_length_u64(hi) : micro_bit_length_u64(lo);
  /* round to 53 significant bits, ties to even (k <= 32 bits are dropped) */
  k = len > 53 ? len - 53 : 0;
  if (k > 0) {
    const uint64_t rem = lo & (((uint64_t)1 << k) - 1);
    const uint64_t half = (uint64_t)1 << (k - 1);
    q = (lo >> k) | (hi << (64 - k));
    if (rem > half || (rem == half && (q & 1u))) ++q;
  } else {
    q = lo;
  }
  /* q * 2^(k + exponent), rounded half away from zero */
  t = k + (int)exponent;
  if (t >= 0) {
    if (t >= 31 || q > ((uint64_t)MICRO_INT32_MAX >> t))
      return neg ? MICRO_INT32_MIN : MICRO_INT32_MAX;
    r = q << t;
  } else if (t < -62) {
    r = 0;
  } else {
    r = (q >> -t) + ((q >> (-t - 1)) & 1u);
  }
  if (r > (uint64_t)MICRO_INT32_MAX) return neg ? MICRO_INT32_MIN : MICRO_INT32_MAX;
  return neg ? -(int32_t)r : (int32_t)r;
}

#ifdef __cplusplus
}
#endif
#endif /* MICRO_INT8_H_ */
