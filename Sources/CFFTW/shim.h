#pragma once
#include <fftw3.h>
/// fftwf_version is an incomplete array that Swift cannot import; this returns it as a pointer.
static inline const char *studio_fftwf_version(void) { return fftwf_version; }
