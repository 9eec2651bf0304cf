/*
 * activation_s8.c - int8 table lookup (activation_s8.h).
 */
#include "activation_s8.h"

void micro_lut_s8(const int8_t *in, int8_t *out, int32_t size, const int8_t *table) {
  int32_t i;
  for (i = 0; i < size; ++i) out[i] = table[(uint8_t)in[i]];
}
