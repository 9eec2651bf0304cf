/*
 * startup.c - reset and fault handling for the QEMU Cortex-M boards the project is tested
 * on (mps2-an386: Cortex-M4, mps2-an500: Cortex-M7, mps3-an547: Cortex-M55). On a real
 * board use the vendor's startup code instead; the model needs nothing from this file.
 *
 * Reset: enable the FPU (and MVE), trap divisions by zero, enable the fault handlers, copy
 * .data from flash, zero .bss, run main() and report its return value as the exit status
 * (semihosting). A fault prints its name and CFSR and exits with status 131, so a crash
 * ends the run instead of hanging the emulator.
 */
#include <stdint.h>

#include "semihost.h"

extern uint32_t __data_load__, __data_start__, __data_end__, __bss_start__, __bss_end__;
extern uint32_t __stack_top__;

int main(void);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)
#define SCB_CCR (*(volatile uint32_t *)0xE000ED14u)
#define SCB_SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)

static void put_hex(char *out, uint32_t v) {
  int i;
  for (i = 0; i < 8; ++i) {
    uint32_t nibble = (v >> (28 - 4 * i)) & 0xFu;
    out[i] = (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
  }
  out[8] = '\0';
}

static void fault(const char *name) {
  char hex[9];
  put_hex(hex, SCB_CFSR);
  sh_write_stderr("*** ");
  sh_write_stderr(name);
  sh_write_stderr(" CFSR=0x");
  sh_write_stderr(hex);
  sh_write_stderr("\n");
  sh_exit(131);
}

void NMI_Handler(void) { fault("NMI"); }
void HardFault_Handler(void) { fault("HardFault"); }
void MemManage_Handler(void) { fault("MemManage"); }
void BusFault_Handler(void) { fault("BusFault"); }
void UsageFault_Handler(void) { fault("UsageFault"); }
void SecureFault_Handler(void) { fault("SecureFault"); }
void Default_Handler(void) { fault("unexpected interrupt"); }

void Reset_Handler(void) {
  uint32_t *src, *dst;
  /* CP10/CP11 full access (FPU, MVE), then barriers before the first FP instruction. */
  SCB_CPACR |= (0xFu << 20);
  __asm volatile("dsb\n\tisb" ::: "memory");
  SCB_CCR |= (1u << 4);                                     /* DIV_0_TRP */
  SCB_SHCSR |= (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19); /* Mem, Bus, Usage, Secure */
  for (src = &__data_load__, dst = &__data_start__; dst < &__data_end__;) *dst++ = *src++;
  for (dst = &__bss_start__; dst < &__bss_end__;) *dst++ = 0;
  sh_exit(main());
}

typedef void (*Vector)(void);

__attribute__((section(".vectors"), used)) const Vector micro_vectors[16 + 32] = {
    (Vector)(uintptr_t)&__stack_top__,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    SecureFault_Handler,
    0,
    0,
    0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    Default_Handler, /* SysTick */
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler,
};
