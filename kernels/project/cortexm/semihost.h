/*
 * semihost.h - Arm semihosting (BKPT 0xAB): text to the host's stdout/stderr and the exit
 * status, as QEMU implements them (-semihosting-config enable=on,target=native). Used by
 * the QEMU harness only; the model does not depend on it.
 */
#ifndef MICRO_SEMIHOST_H_
#define MICRO_SEMIHOST_H_

void sh_write_stdout(const char *text);
void sh_write_stderr(const char *text);
void sh_exit(int status) __attribute__((noreturn));

#endif /* MICRO_SEMIHOST_H_ */
