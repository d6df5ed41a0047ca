#pragma once
#include <oneapi/dnnl/dnnl.h>

/* Debian's oneDNN runs on OpenMP (libgomp): the engine sets each calling thread's team size. */
void omp_set_num_threads(int num_threads);
