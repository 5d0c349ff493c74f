/* fuzz.h — the one entry point every harness in tests/fuzz defines.
 *
 * Each tests/fuzz/fuzz_<name>.c is built twice (see the top-level CMakeLists.txt):
 * - with -DHUBGEN_FUZZ=ON (clang), linked with libFuzzer as build/fuzz_<name>, which
 *   calls LLVMFuzzerTestOneInput with inputs it generates;
 * - in every build, linked with replay.c as build/replay_<name>, whose main() calls it
 *   once per file of the seed corpus and of the regressions folder (a CTest test).
 * A harness must not leak, must accept any bytes, and aborts (crashes) only on purpose:
 * when one of the properties it checks does not hold.
 */
#ifndef HG_FUZZ_H
#define HG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message when cond is false: a property the fuzzer checks. */
#define FUZZ_ASSERT(cond)                                                                           \
	do {                                                                                        \
		if (!(cond))                                                                        \
			fuzz_fail(__FILE__, __LINE__, #cond);                                       \
	} while (0)

#include <stdio.h>
#include <stdlib.h>
static inline void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: property does not hold: %s\n", file, line, what);
	abort();
}

#endif
