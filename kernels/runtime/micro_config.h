/*
 * micro_config.h - build options of the runtime, in one place. micro-convert writes this
 * file for the target; this library default (x86, ARM Linux) enables everything. Every
 * option may also be given with -D on the compiler's command line.
 *
 *   MICRO_NO_MALLOC      no heap: MSModelBuild never allocates; the application gives the
 *                        arena with MSModelSetWorkspace and the weights are compiled in
 *   MICRO_NO_FILESYSTEM  no files: MSModelBuildFromFile is not available
 *   MICRO_NO_LOG         no stdio: failed calls return their status silently
 */
#ifndef MICRO_CONFIG_H_
#define MICRO_CONFIG_H_

#endif /* MICRO_CONFIG_H_ */
