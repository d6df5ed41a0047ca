#pragma once
#include <oneapi/dnnl/dnnl.h>

/* Debian's oneDNN runs on OpenMP (libgomp): the engine sets each calling thread's team size. */
void omp_set_num_threads(int num_threads);

/* libgomp's parallel region (the ABI GCC emits for `#pragma omp parallel` since GCC 4.9): the
   engine's own loops run on the same thread team as oneDNN's convolutions, so no second pool of
   threads competes with OpenMP's spinning workers for the cores. */
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
