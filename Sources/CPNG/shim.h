#pragma once
#include <png.h>
/// The libpng version string the headers were compiled against.
static inline const char *studio_png_header_version(void) { return PNG_LIBPNG_VER_STRING; }
