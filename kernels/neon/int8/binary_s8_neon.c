/*
 * binary_s8_neon.c - int8 ADD / SUB / MUL with broadcasting, NEON intrinsics
 * (binary_s8_neon.h).
 *
 * As in generic/int8/binary_s8.c, the shape is simplified first (size-1 dims dropped, dims
 * contiguous for the output and both operands merged) and walked row by row. Each row
 * goes 16 outputs at a time; an operand with stride 1 is loaded, one with stride 0 is one
 * broadcast value, any other stride is gathered into a 16-byte local row, and a row's last
 * (< 16) outputs go through local copies. Every block loads its inputs before it stores,
 * so out may alias an operand of the output's shape.
 *
 * The arithmetic is the generic kernel's, on four int32 lanes (micro_neon.h's
 * MultiplyByQuantizedMultiplier, micro_neon_mbqm_s32):
 *   ADD / SUB: ua = MBQM((a + a_offset) << left_shift, a_multiplier, a_shift), ub likewise;
 *              out = clamp(MBQM(ua +- ub, output_multiplier, output_shift) + zero point)
 *   MUL:       out = clamp(MBQM((a + a_offset) * (b + b_offset), ...) + zero point)
 * An operand plus its offset is formed in 16-bit lanes (|a + offset| <= 256); the two left
 * shifts of an ADD/SUB rescale are one SSHL by left_shift + max(a_shift, 0) (wrapping, as
 * micro_wrap_shl_i32 twice).
 */
#include "binary_s8_neon.h"

#include <string.h>

#include "micro_neon.h"

enum { ADD = 0, SUB = 1, MUL = 2 };

/* How a row reads an operand: load 16 consecutive values, broadcast its one value, or
 * gather values `stride` apart. */
enum { LOAD = 0, BROADCAST = 1, GATHER = 2 };

#define BL 16 /* outputs per block */

typedef struct {
  int32_t ndim;
  int32_t shape[MICRO_BINARY_S8_MAX_DIMS];
  int32_t sa[MICRO_BINARY_S8_MAX_DIMS];
  int32_t sb[MICRO_BINARY_S8_MAX_DIMS];
  size_t total;
} Shape;

static int simplify(const MicroBinaryS8Params *p, Shape *s) {
  int32_t d;
  s->ndim = 0;
  s->total = 1;
  for (d = 0; d < p->ndim; ++d) {
    const int32_t n = p->out_shape[d];
    if (n <= 0) return 0;
    s->total *= (size_t)n;
    if (n == 1) continue;
    if (s->ndim > 0) {
      const int32_t k = s->ndim - 1;
      if (s->sa[k] == p->a_strides[d] * n && s->sb[k] == p->b_strides[d] * n) {
        s->shape[k] *= n;
        s->sa[k] = p->a_strides[d];
        s->sb[k] = p->b_strides[d];
        continue;
      }
    }
    s->shape[s->ndim] = n;
    s->sa[s->ndim] = p->a_strides[d];
    s->sb[s->ndim] = p->b_strides[d];
    ++s->ndim;
  }
  return 1;
}

/* The parameters as vectors. */
typedef struct {
  int16x8_t a_off, b_off;
  int32x4_t a_shl, a_mult, a_neg_right; /* ADD/SUB rescale of a */
  int32x4_t b_shl, b_mult, b_neg_right; /* ... and of b */
  int32x4_t o_mult, o_left, o_neg_right, zp;
  int16x8_t lo, hi; /* the activation clamp */
} Ctx;

static void init_ctx(Ctx *c, const MicroBinaryS8Params *p) {
  c->a_off = vdupq_n_s16((int16_t)p->a_offset);
  c->b_off = vdupq_n_s16((int16_t)p->b_offset);
  c->a_shl = vdupq_n_s32(p->left_shift + micro_max_i32(p->a_shift, 0));
  c->a_mult = vdupq_n_s32(p->a_multiplier);
  c->a_neg_right = vdupq_n_s32(micro_min_i32(p->a_shift, 0));
  c->b_shl = vdupq_n_s32(p->left_shift + micro_max_i32(p->b_shift, 0));
  c->b_mult = vdupq_n_s32(p->b_multiplier);
  c->b_neg_right = vdupq_n_s32(micro_min_i32(p->b_shift, 0));
  c->o_mult = vdupq_n_s32(p->output_multiplier);
  c->o_left = vdupq_n_s32(micro_max_i32(p->output_shift, 0));
  c->o_neg_right = vdupq_n_s32(micro_min_i32(p->output_shift, 0));
  c->zp = vdupq_n_s32(p->output_zero_point);
  c->lo = vdupq_n_s16((int16_t)p->act_min);
  c->hi = vdupq_n_s16((int16_t)p->act_max);
}

/* Lane q (0..3) of four int32 lanes of v[0] (q 0, 1) / v[1] (q 2, 3), sign-extended. */
MICRO_ALWAYS_INLINE int32x4_t widen(const int16x8_t *v, int q) {
#if defined(__aarch64__)
  return q & 1 ? vmovl_high_s16(v[q >> 1]) : vmovl_s16(vget_low_s16(v[q >> 1]));
#else
  return vmovl_s16(q & 1 ? vget_high_s16(v[q >> 1]) : vget_low_s16(v[q >> 1]));
#endif
}

/* x + offset on 16 lanes, as two int16x8. */
MICRO_ALWAYS_INLINE void offset16(int8x16_t x, int16x8_t off, int16x8_t *r) {
  r[0] = vaddw_s8(off, vget_low_s8(x));
#if defined(__aarch64__)
  r[1] = vaddw_high_s8(off, x);
#else
  r[1] = vaddw_s8(off, vget_high_s8(x));
#endif
}

/* The 16 outputs of OP for the operand values x and y. */
MICRO_ALWAYS_INLINE int8x16_t compute16(const Ctx *c, int8x16_t x, int8x16_t y, const int OP) {
  int16x8_t xa[2], yb[2];
  int32x4_t v[4];
  int q;
  offset16(x, c->a_off, xa);
  offset16(y, c->b_off, yb);
  for (q = 0; q < 4; ++q) {
    int32x4_t raw;
    if (OP == MUL) {
#if defined(__aarch64__)
      raw = q & 1 ? vmull_high_s16(xa[q >> 1], yb[q >> 1])
                  : vmull_s16(vget_low_s16(xa[q >> 1]), vget_low_s16(yb[q >> 1]));
#else
      raw = q & 1 ? vmull_s16(vget_high_s16(xa[q >> 1]), vget_high_s16(yb[q >> 1]))
                  : vmull_s16(vget_low_s16(xa[q >> 1]), vget_low_s16(yb[q >> 1]));
#endif
    } else {
      const int32x4_t ua =
          micro_neon_mbqm_right_s32(vshlq_s32(widen(xa, q), c->a_shl), c->a_mult, c->a_neg_right);
      const int32x4_t ub =
          micro_neon_mbqm_right_s32(vshlq_s32(widen(yb, q), c->b_shl), c->b_mult, c->b_neg_right);
      raw = OP == SUB ? vsubq_s32(ua, ub) : vaddq_s32(ua, ub);
    }
    v[q] = vaddq_s32(micro_neon_mbqm_s32(raw, c->o_mult, c->o_left, c->o_neg_right), c->zp);
  }
  return micro_neon_narrow_s8(v[0], v[1], v[2], v[3], c->lo, c->hi);
}

/* n (<= 16) values of an operand from element i of its row on. */
MICRO_ALWAYS_INLINE int8x16_t operand(const int8_t *a, size_t i, int32_t stride, int32_t n,
                                      const int KIND) {
  int8_t t[BL];
  int32_t j;
  if (KIND == BROADCAST) return vld1q_dup_s8(a);
  if (KIND == LOAD && n == BL) return vld1q_s8(a + i);
  memset(t, 0, sizeof t);
  if (KIND == LOAD)
    memcpy(t, a + i, (size_t)n);
  else
    for (j = 0; j < n; ++j) t[j] = a[(i + (size_t)j) * (size_t)stride];
  return vld1q_s8(t);
}

/* One innermost row of n outputs: out[i] = OP(a[i * sa], b[i * sb]). */
MICRO_ALWAYS_INLINE void row(const Ctx *c, const int8_t *a, int32_t sa, const int8_t *b,
                             int32_t sb, int8_t *out, size_t n, const int OP, const int KA,
                             const int KB) {
  size_t i = 0;
  for (; i + BL <= n; i += BL)
    vst1q_s8(out + i, compute16(c, operand(a, i, sa, BL, KA), operand(b, i, sb, BL, KB), OP));
  if (i < n) {
    const int32_t rest = (int32_t)(n - i);
    int8_t t[BL];
    vst1q_s8(t, compute16(c, operand(a, i, sa, rest, KA), operand(b, i, sb, rest, KB), OP));
    memcpy(out + i, t, (size_t)rest);
  }
}

/* The N-D walk: rows of the innermost dim, the outer dims advanced like an odometer. */
MICRO_ALWAYS_INLINE void walk(const Ctx *c, const int8_t *a, const int8_t *b, int8_t *out,
                              const Shape *s, const int OP) {
  int32_t idx[MICRO_BINARY_S8_MAX_DIMS];
  int32_t d, inner, sa, sb;
  size_t rows, r;
  if (s->ndim == 0) { /* a single element */
    row(c, a, 0, b, 0, out, 1, OP, BROADCAST, BROADCAST);
    return;
  }
  inner = s->shape[s->ndim - 1];
  sa = s->sa[s->ndim - 1];
  sb = s->sb[s->ndim - 1];
  for (d = 0; d < s->ndim; ++d) idx[d] = 0;
  rows = s->total / (size_t)inner;
  for (r = 0; r < rows; ++r) {
    if (sa == 1 && sb == 1)
      row(c, a, sa, b, sb, out, (size_t)inner, OP, LOAD, LOAD);
    else if (sa == 0 && sb == 1)
      row(c, a, sa, b, sb, out, (size_t)inner, OP, BROADCAST, LOAD);
    else if (sa == 1 && sb == 0)
      row(c, a, sa, b, sb, out, (size_t)inner, OP, LOAD, BROADCAST);
    else
      row(c, a, sa, b, sb, out, (size_t)inner, OP, GATHER, GATHER);
    out += inner;
    for (d = s->ndim - 2; d >= 0; --d) {
      if (++idx[d] < s->shape[d]) {
        a += s->sa[d];
        b += s->sb[d];
        break;
      }
      idx[d] = 0;
      a -= (size_t)s->sa[d] * (size_t)(s->shape[d] - 1);
      b -= (size_t)s->sb[d] * (size_t)(s->shape[d] - 1);
    }
  }
}

void micro_neon_add_s8(const int8_t *a, const int8_t *b, int8_t *out,
                       const MicroBinaryS8Params *p) {
  Ctx c;
  Shape s;
  if (!simplify(p, &s)) return;
  init_ctx(&c, p);
  walk(&c, a, b, out, &s, ADD);
}

void micro_neon_sub_s8(const int8_t *a, const int8_t *b, int8_t *out,
                       const MicroBinaryS8Params *p) {
  Ctx c;
  Shape s;
  if (!simplify(p, &s)) return;
  init_ctx(&c, p);
  walk(&c, a, b, out, &s, SUB);
}

void micro_neon_mul_s8(const int8_t *a, const int8_t *b, int8_t *out,
                       const MicroBinaryS8Params *p) {
  Ctx c;
  Shape s;
  if (!simplify(p, &s)) return;
  init_ctx(&c, p);
  walk(&c, a, b, out, &s, MUL);
}
