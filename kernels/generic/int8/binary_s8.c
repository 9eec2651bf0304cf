/*
 * binary_s8.c - int8 ADD / SUB / MUL with broadcasting (binary_s8.h).
 *
 * The shape is simplified as in binary_f32.c (size-1 dims dropped, dims contiguous for the
 * output and both operands merged), then walked row by row with the innermost loop
 * specialised for operand strides (1, 1), (0, 1), (1, 0) or anything else. Every output
 * element reads only the same-position inputs before it is written, so out may alias an
 * operand of the output's shape.
 *
 * ADD and SUB rescale each operand with a 256-entry table of its possible values when the
 * output has at least MICRO_BINARY_S8_TABLE_MIN elements (building a table costs 256
 * rescalings); smaller outputs rescale element by element. Both paths compute the same
 * integers. Measured (x86-64, GCC 12 / clang 14): GCC runs the table path 2-3x faster than
 * the direct one, clang the direct one 2-7x faster (it vectorizes the direct rescaling, but
 * turns the table path's clamps into mispredicted branches), hence the default.
 */
#include "binary_s8.h"

#include <string.h>

#ifndef MICRO_BINARY_S8_TABLE_MIN
#if defined(__clang__)
#define MICRO_BINARY_S8_TABLE_MIN ((size_t)-1) /* never */
#else
#define MICRO_BINARY_S8_TABLE_MIN 512
#endif
#endif
#define TABLE_MIN ((size_t)MICRO_BINARY_S8_TABLE_MIN)

typedef struct {
  int32_t ndim;
  int32_t shape[MICRO_BINARY_S8_MAX_DIMS];
  int32_t sa[MICRO_BINARY_S8_MAX_DIMS];
  int32_t sb[MICRO_BINARY_S8_MAX_DIMS];
  size_t total;
} ShapeS8;

static int simplify_s8(const MicroBinaryS8Params *p, ShapeS8 *s) {
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

/* What the element functions need: copies of the parameters (locals, which int8 stores
 * cannot alias) and, for ADD/SUB, the rescaling tables (ta[v + 128] is the rescaled a for
 * a == v). */
typedef struct {
  int32_t a_offset, b_offset, left_shift;
  int32_t a_multiplier, a_shift, b_multiplier, b_shift;
  int32_t output_multiplier, output_shift, output_zero_point, act_min, act_max;
} ScalarsS8;

typedef struct {
  ScalarsS8 s;
  int32_t ta[256], tb[256];
} CtxS8;

MICRO_ALWAYS_INLINE int32_t rescale_a(const ScalarsS8 *s, int32_t x) {
  return micro_mbqm(micro_wrap_shl_i32(x + s->a_offset, s->left_shift), s->a_multiplier,
                    s->a_shift);
}
MICRO_ALWAYS_INLINE int32_t rescale_b(const ScalarsS8 *s, int32_t y) {
  return micro_mbqm(micro_wrap_shl_i32(y + s->b_offset, s->left_shift), s->b_multiplier,
                    s->b_shift);
}
MICRO_ALWAYS_INLINE int8_t out_s8(const ScalarsS8 *s, int32_t raw) {
  return micro_output_s8(raw, s->output_multiplier, s->output_shift, s->output_zero_point,
                         s->act_min, s->act_max);
}

#define ADD_TAB(x, y) out_s8(&s, ta[(x) + 128] + tb[(y) + 128])
#define SUB_TAB(x, y) out_s8(&s, ta[(x) + 128] - tb[(y) + 128])
#define ADD_DIR(x, y) out_s8(&s, rescale_a(&s, (x)) + rescale_b(&s, (y)))
#define SUB_DIR(x, y) out_s8(&s, rescale_a(&s, (x)) - rescale_b(&s, (y)))
#define MUL_DIR(x, y) out_s8(&s, ((int32_t)(x) + s.a_offset) * ((int32_t)(y) + s.b_offset))

#define BL 16 /* elements per block of the flat loops */

/* DEFINE_WALK(name, ELEM) defines name(c, a, b, out, shape): the N-D walk with rows
 * specialised by operand strides, computing out = ELEM(a, b) elementwise. The flat rows
 * compute blocks of BL outputs into a local array before storing them, so they vectorize
 * without alias checks and stay correct when out == a or out == b. */
#define DEFINE_WALK(name, ELEM)                                                              \
  static void name##_row(const CtxS8 *c, const int8_t *a, int32_t sa, const int8_t *b,       \
                         int32_t sb, int8_t *out, size_t n) {                                \
    const ScalarsS8 s = c->s;                                                                \
    const int32_t *ta = c->ta, *tb = c->tb;                                                  \
    int8_t t[BL];                                                                            \
    size_t i;                                                                                \
    int32_t j;                                                                               \
    (void)ta, (void)tb;                                                                      \
    if (sa == 1 && sb == 1) {                                                                \
      for (i = 0; i + BL <= n; i += BL) {                                                    \
        for (j = 0; j < BL; ++j) t[j] = ELEM(a[i + j], b[i + j]);                            \
        memcpy(out + i, t, BL);                                                              \
      }                                                                                      \
      for (; i < n; ++i) out[i] = ELEM(a[i], b[i]);                                          \
    } else if (sa == 0 && sb == 1) {                                                         \
      const int32_t a0 = a[0];                                                               \
      for (i = 0; i + BL <= n; i += BL) {                                                    \
        for (j = 0; j < BL; ++j) t[j] = ELEM(a0, b[i + j]);                                  \
        memcpy(out + i, t, BL);                                                              \
      }                                                                                      \
      for (; i < n; ++i) out[i] = ELEM(a0, b[i]);                                            \
    } else if (sa == 1 && sb == 0) {                                                         \
      const int32_t b0 = b[0];                                                               \
      for (i = 0; i + BL <= n; i += BL) {                                                    \
        for (j = 0; j < BL; ++j) t[j] = ELEM(a[i + j], b0);                                  \
        memcpy(out + i, t, BL);                                                              \
      }                                                                                      \
      for (; i < n; ++i) out[i] = ELEM(a[i], b0);                                            \
    } else {                                                                                 \
      for (i = 0; i < n; ++i) out[i] = ELEM(a[i * (size_t)sa], b[i * (size_t)sb]);           \
    }                                                                                        \
  }                                                                                          \
  static void name(const CtxS8 *c, const int8_t *a, const int8_t *b, int8_t *out,            \
                   const ShapeS8 *sh) {                                                      \
    int32_t idx[MICRO_BINARY_S8_MAX_DIMS];                                                   \
    int32_t d, inner, sa, sb;                                                                \
    size_t rows, r;                                                                          \
    if (sh->ndim == 0) {                                                                     \
      name##_row(c, a, 1, b, 1, out, 1);                                                     \
      return;                                                                                \
    }                                                                                        \
    inner = sh->shape[sh->ndim - 1];                                                         \
    sa = sh->sa[sh->ndim - 1];                                                               \
    sb = sh->sb[sh->ndim - 1];                                                               \
    for (d = 0; d < sh->ndim; ++d) idx[d] = 0;                                               \
    rows = sh->total / (size_t)inner;                                                        \
    for (r = 0; r < rows; ++r) {                                                             \
      name##_row(c, a, sa, b, sb, out, (size_t)inner);                                       \
      out += inner;                                                                          \
      for (d = sh->ndim - 2; d >= 0; --d) {                                                  \
        if (++idx[d] < sh->shape[d]) {                                                       \
          a += sh->sa[d];                                                                    \
          b += sh->sb[d];                                                                    \
          break;                                                                             \
        }                                                                                    \
        idx[d] = 0;                                                                          \
        a -= (size_t)sh->sa[d] * (size_t)(sh->shape[d] - 1);                                 \
        b -= (size_t)sh->sb[d] * (size_t)(sh->shape[d] - 1);                                 \
      }                                                                                      \
    }                                                                                        \
  }

DEFINE_WALK(walk_add_tab, ADD_TAB)
DEFINE_WALK(walk_sub_tab, SUB_TAB)
DEFINE_WALK(walk_add_dir, ADD_DIR)
DEFINE_WALK(walk_sub_dir, SUB_DIR)
DEFINE_WALK(walk_mul, MUL_DIR)

static void init_ctx(CtxS8 *c, const MicroBinaryS8Params *p, int tables) {
  int32_t v;
  c->s.a_offset = p->a_offset;
  c->s.b_offset = p->b_offset;
  c->s.left_shift = p->left_shift;
  c->s.a_multiplier = p->a_multiplier;
  c->s.a_shift = p->a_shift;
  c->s.b_multiplier = p->b_multiplier;
  c->s.b_shift = p->b_shift;
  c->s.output_multiplier = p->output_multiplier;
  c->s.output_shift = p->output_shift;
  c->s.output_zero_point = p->output_zero_point;
  c->s.act_min = p->act_min;
  c->s.act_max = p->act_max;
  if (tables)
    for (v = -128; v < 128; ++v) {
      c->ta[v + 128] = rescale_a(&c->s, v);
      c->tb[v + 128] = rescale_b(&c->s, v);
    }
}

void micro_add_s8(const int8_t *a, const int8_t *b, int8_t *out, const MicroBinaryS8Params *p) {
  CtxS8 c;
  ShapeS8 s;
  if (!simplify_s8(p, &s)) return;
  init_ctx(&c, p, s.total >= TABLE_MIN);
  if (s.total >= TABLE_MIN)
    walk_add_tab(&c, a, b, out, &s);
  else
    walk_add_dir(&c, a, b, out, &s);
}

void micro_sub_s8(const int8_t *a, const int8_t *b, int8_t *out, const MicroBinaryS8Params *p) {
  CtxS8 c;
  ShapeS8 s;
  if (!simplify_s8(p, &s)) return;
  init_ctx(&c, p, s.total >= TABLE_MIN);
  if (s.total >= TABLE_MIN)
    walk_sub_tab(&c, a, b, out, &s);
  else
    walk_sub_dir(&c, a, b, out, &s);
}

void micro_mul_s8(const int8_t *a, const int8_t *b, int8_t *out, const MicroBinaryS8Params *p) {
  CtxS8 c;
  ShapeS8 s;
  if (!simplify_s8(p, &s)) return;
  init_ctx(&c, p, 0);
  walk_mul(&c, a, b, out, &s);
}
