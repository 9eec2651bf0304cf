/*
 * micro_log.h - the runtime's one-line diagnostics: MICRO_LOG("fmt", ...) prints
 * "micro: <message>\n" to stderr.
 *
 * Define MICRO_NO_LOG (MCU builds without stdio) to compile every log away: then nothing
 * from stdio is referenced.
 */
#ifndef MICRO_LOG_H_
#define MICRO_LOG_H_

#include "micro_config.h"

#ifdef MICRO_NO_LOG

/* Swallows the arguments (so that values used only in logs do not trigger
 * unused-variable warnings); the optimizer removes the call and the strings. */
static inline void MicroLogNothing(const char *fmt, ...) { (void)fmt; }
#define MICRO_LOG(...) MicroLogNothing(__VA_ARGS__)

#else

#include <stdarg.h>
#include <stdio.h>

#if defined(__GNUC__) || defined(__clang__)
#define MICRO_PRINTF_FORMAT(fmt_index, args_index) \
  __attribute__((format(printf, fmt_index, args_index)))
#else
#define MICRO_PRINTF_FORMAT(fmt_index, args_index)
#endif

static inline void MicroLogPrint(const char *fmt, ...) MICRO_PRINTF_FORMAT(1, 2);

/* static inline so that the header needs no .c file and unused copies cost nothing. */
static inline void MicroLogPrint(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  fputs("micro: ", stderr);
  vfprintf(stderr, fmt, args);
  fputc('\n', stderr);
  va_end(args);
}

/* The format string is the first argument (written as ... so that a bare message is
 * valid C99 too). */
#define MICRO_LOG(...) MicroLogPrint(__VA_ARGS__)

#endif /* MICRO_NO_LOG */

#endif /* MICRO_LOG_H_ */
