#ifndef LLMRANK_CBLAS_SHIM_H
#define LLMRANK_CBLAS_SHIM_H
#include <cblas.h>
#endif
