#pragma once
#include <malloc.h>
#include <stdio.h>

/* Line-buffered standard output (Swift 6 cannot touch the C global `stdout` directly). */
static inline void studio_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
